/*
 * demo_photos.c - developer tool: draws the demo newsroom's photos.
 *
 * Usage: demo_photos DIR
 * Writes DIR/<scene>.jpg for each scene below: pictures of our own making
 * (no third-party photo may ship in the demo), drawn pixel by pixel here
 * with a fixed seed, then encoded by libvips. Their output is committed
 * under demo/photos/ (the demo imports them through the import's image:
 * front matter); run this again only to change them. Not built into
 * gazette and not run by the build. To build and run it:
 *
 *	cc -O2 -std=c17 -o demo_photos tools/demo_photos.c \
 *	    $(pkg-config --cflags --libs vips) -lm
 *	./demo_photos demo/photos
 *
 * Each scene is a few layers painted back to front: a sky gradient, soft
 * value-noise clouds, hills or a skyline from sums of sines, water with a
 * blurred reflection, and a grain of noise, so that the encoders see
 * something with a photo's texture rather than flat colour.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define W 1600
#define H 1066

struct rgb {
	float r, g, b;
};

static struct rgb px[H][W];
static uint32_t seed = 1;

static float
rnd(void)
{
	seed = seed * 1664525u + 1013904223u;
	return (float)(seed >> 8) / 16777216.0f;
}

static struct rgb
mix(struct rgb a, struct rgb b, float t)
{
	struct rgb c = {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t,
			a.b + (b.b - a.b) * t};

	return c;
}

static float
clamp01(float t)
{
	return t < 0 ? 0 : t > 1 ? 1 : t;
}

static float
smooth(float e0, float e1, float x)
{
	float t = clamp01((x - e0) / (e1 - e0));

	return t * t * (3 - 2 * t);
}

/* Value noise: a lattice of random values, smoothly interpolated. */
#define LAT 64
static float lattice[LAT][LAT];

static void
noise_seed(void)
{
	for (int y = 0; y < LAT; y++)
		for (int x = 0; x < LAT; x++)
			lattice[y][x] = rnd();
}

static float
noise(float x, float y)
{
	int xi = (int)floorf(x), yi = (int)floorf(y);
	float fx = x - (float)xi, fy = y - (float)yi;
	float a, b, c, d;

	fx = fx * fx * (3 - 2 * fx);
	fy = fy * fy * (3 - 2 * fy);
	xi &= LAT - 1;
	yi &= LAT - 1;
	a = lattice[yi][xi];
	b = lattice[yi][(xi + 1) & (LAT - 1)];
	c = lattice[(yi + 1) & (LAT - 1)][xi];
	d = lattice[(yi + 1) & (LAT - 1)][(xi + 1) & (LAT - 1)];
	return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
}

static float
fbm(float x, float y)
{
	float sum = 0, amp = 0.5f;

	for (int o = 0; o < 5; o++) {
		sum += amp * noise(x, y);
		x *= 2.03f;
		y *= 2.03f;
		amp *= 0.5f;
	}
	return sum;
}

static void
sky(struct rgb top, struct rgb horizon, float clouds, struct rgb cloud)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			float t = (float)y / (H * 0.62f);
			struct rgb c = mix(top, horizon, clamp01(t));
			float n = fbm((float)x / 260.0f, (float)y / 110.0f);

			px[y][x] = mix(c, cloud,
				       clouds * smooth(0.45f, 0.75f, n));
		}
}

/* A sun (or a moon) glowing at (cx, cy). */
static void
sun(float cx, float cy, float r, struct rgb c)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			float d = hypotf((float)x - cx, (float)y - cy);
			float glow = expf(-d / (r * 2.5f)) * 0.55f;

			px[y][x] = mix(px[y][x], c, clamp01(glow + (d < r)));
		}
}

/* Hills whose ridge is base + a sum of sines, filled with c, shaded
 * darker downwards. */
static void
hills(float base, float amp, float freq, float phase, struct rgb c)
{
	for (int x = 0; x < W; x++) {
		float fx = (float)x / W;
		float ridge = base + amp * (sinf(fx * freq + phase) * 0.6f +
					    sinf(fx * freq * 2.7f + phase * 1.3f) * 0.3f +
					    sinf(fx * freq * 7.1f) * 0.1f);

		for (int y = (int)ridge; y < H; y++) {
			float shade = 1 - 0.25f * clamp01(((float)y - ridge) / 300.0f);
			struct rgb s = {c.r * shade, c.g * shade, c.b * shade};

			if (y >= 0)
				px[y][x] = mix(px[y][x], s,
					       clamp01(((float)y - ridge) + 0.5f));
		}
	}
}

/* Water from y0 down: the picture above mirrored, darkened and rippled. */
static void
water(int y0, struct rgb tint)
{
	for (int y = y0; y < H; y++) {
		float depth = (float)(y - y0) / (float)(H - y0);

		for (int x = 0; x < W; x++) {
			int sx = x + (int)(sinf((float)y * 0.35f) * 6 * (1 + depth * 3));
			int sy = 2 * y0 - y;

			sx = sx < 0 ? 0 : sx >= W ? W - 1 : sx;
			sy = sy < 0 ? 0 : sy;
			px[y][x] = mix(px[sy][sx], tint, 0.35f + 0.4f * depth);
		}
	}
}

static void
rect(int x0, int y0, int x1, int y1, struct rgb c)
{
	for (int y = y0 < 0 ? 0 : y0; y < y1 && y < H; y++)
		for (int x = x0 < 0 ? 0 : x0; x < x1 && x < W; x++)
			px[y][x] = c;
}

static void
disc(float cx, float cy, float r, struct rgb c)
{
	for (int y = (int)(cy - r) - 1; y <= (int)(cy + r) + 1; y++)
		for (int x = (int)(cx - r) - 1; x <= (int)(cx + r) + 1; x++) {
			float d;

			if (x < 0 || y < 0 || x >= W || y >= H)
				continue;
			d = hypotf((float)x - cx, (float)y - cy);
			px[y][x] = mix(px[y][x], c, clamp01(r - d + 0.5f));
		}
}

/* A ring of width w: an arch when only its top half is on the picture. */
static void
ring(float cx, float cy, float r, float w, struct rgb c, float ymax)
{
	for (int y = (int)(cy - r - w); y <= (int)(cy + r + w); y++)
		for (int x = (int)(cx - r - w); x <= (int)(cx + r + w); x++) {
			float d;

			if (x < 0 || y < 0 || x >= W || y >= H || (float)y > ymax)
				continue;
			d = fabsf(hypotf((float)x - cx, (float)y - cy) - r);
			px[y][x] = mix(px[y][x], c, clamp01(w / 2 - d + 0.5f));
		}
}

/* A tree: a trunk and a crown of overlapping discs. */
static void
tree(float x, float ground, float size, struct rgb leaf)
{
	struct rgb trunk = {0.25f, 0.18f, 0.12f};

	rect((int)(x - size * 0.06f), (int)(ground - size * 0.6f),
	     (int)(x + size * 0.06f), (int)ground, trunk);
	for (int i = 0; i < 9; i++) {
		float a = rnd() * 6.283f, d = rnd() * size * 0.3f;
		struct rgb l = mix(leaf, (struct rgb){0, 0, 0}, rnd() * 0.3f);

		disc(x + cosf(a) * d, ground - size * 0.85f + sinf(a) * d * 0.8f,
		     size * (0.25f + rnd() * 0.15f), l);
	}
}

/* A building's front: a block of colour with rows of lit or dark
 * windows. */
static void
building(int x0, int y0, int x1, int y1, struct rgb wall, float lit)
{
	rect(x0, y0, x1, y1, wall);
	for (int y = y0 + 30; y + 60 < y1; y += 90)
		for (int x = x0 + 25; x + 40 < x1; x += 70) {
			struct rgb glass = rnd() < lit
				? (struct rgb){0.98f, 0.85f, 0.55f}
				: (struct rgb){0.22f, 0.28f, 0.36f};

			rect(x, y, x + 40, y + 55, glass);
		}
}

static void
grain(float amount)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			float n = (rnd() - 0.5f) * amount;

			px[y][x].r += n;
			px[y][x].g += n;
			px[y][x].b += n;
		}
}

static void
scene_river(void)
{
	sky((struct rgb){0.18f, 0.22f, 0.45f}, (struct rgb){0.98f, 0.62f, 0.35f},
	    0.5f, (struct rgb){0.95f, 0.55f, 0.45f});
	sun(W * 0.68f, H * 0.5f, 55, (struct rgb){1, 0.9f, 0.65f});
	hills(H * 0.50f, 60, 5, 1, (struct rgb){0.30f, 0.25f, 0.38f});
	hills(H * 0.56f, 40, 9, 3, (struct rgb){0.18f, 0.16f, 0.24f});
	water(H * 6 / 10, (struct rgb){0.1f, 0.12f, 0.25f});
	/* The ferry landing: a pier on posts. */
	rect(0, H * 62 / 100, W * 45 / 100, H * 64 / 100, (struct rgb){0.12f, 0.09f, 0.08f});
	for (int x = 40; x < W * 45 / 100; x += 110)
		rect(x, H * 64 / 100, x + 14, H * 72 / 100, (struct rgb){0.1f, 0.08f, 0.07f});
}

static void
scene_bridge(void)
{
	struct rgb steel = {0.55f, 0.22f, 0.18f};

	sky((struct rgb){0.25f, 0.5f, 0.82f}, (struct rgb){0.75f, 0.86f, 0.95f},
	    0.7f, (struct rgb){1, 1, 1});
	hills(H * 0.52f, 35, 4, 2, (struct rgb){0.30f, 0.45f, 0.30f});
	water(H * 58 / 100, (struct rgb){0.15f, 0.3f, 0.4f});
	/* An arch bridge: a deck, two arches and their hangers. */
	ring(W * 0.3f, H * 0.62f, 300, 22, steel, H * 0.62f);
	ring(W * 0.72f, H * 0.62f, 300, 22, steel, H * 0.62f);
	rect(0, H * 50 / 100, W, H * 53 / 100, (struct rgb){0.35f, 0.33f, 0.32f});
	for (int x = 0; x < W; x += 60)
		rect(x, H * 53 / 100, x + 6, H * 58 / 100, steel);
	rect(W * 49 / 100, H * 53 / 100, W * 53 / 100, H * 68 / 100,
	     (struct rgb){0.3f, 0.28f, 0.27f});
}

static void
scene_frost(void)
{
	sky((struct rgb){0.55f, 0.68f, 0.85f}, (struct rgb){0.98f, 0.9f, 0.82f},
	    0.25f, (struct rgb){1, 0.97f, 0.95f});
	sun(W * 0.2f, H * 0.42f, 45, (struct rgb){1, 0.95f, 0.85f});
	hills(H * 0.45f, 25, 3, 0.5f, (struct rgb){0.55f, 0.6f, 0.65f});
	/* Furrowed fields in perspective, white with frost. */
	for (int y = H * 48 / 100; y < H; y++) {
		float depth = (float)(y - H * 48 / 100) / (H * 0.52f);

		for (int x = 0; x < W; x++) {
			float u = ((float)x - W / 2) / (0.15f + depth);
			float furrow = 0.5f + 0.5f * sinf(u * 0.08f);
			struct rgb soil = {0.45f, 0.36f, 0.3f};
			struct rgb frost = {0.92f, 0.95f, 0.98f};

			px[y][x] = mix(soil, frost, 0.35f + 0.55f * furrow * (1 - depth * 0.4f));
		}
	}
	for (int i = 0; i < 7; i++)
		tree(W * (0.55f + i * 0.06f), H * 0.49f, 70 + rnd() * 30,
		     (struct rgb){0.35f, 0.42f, 0.38f});
}

static void
scene_fair(void)
{
	struct rgb red = {0.82f, 0.18f, 0.2f}, cream = {0.98f, 0.94f, 0.85f};

	sky((struct rgb){0.3f, 0.55f, 0.9f}, (struct rgb){0.85f, 0.92f, 0.98f},
	    0.45f, (struct rgb){1, 1, 1});
	hills(H * 0.55f, 30, 3, 1.5f, (struct rgb){0.45f, 0.6f, 0.3f});
	/* A Ferris wheel: rim, spokes, cars. */
	ring(W * 0.72f, H * 0.35f, 300, 12, (struct rgb){0.95f, 0.95f, 0.95f}, H);
	for (int i = 0; i < 12; i++) {
		float a = (float)i * 0.5236f;

		for (int t = 0; t < 300; t++)
			disc(W * 0.72f + cosf(a) * (float)t, H * 0.35f + sinf(a) * (float)t,
			     2.5f, (struct rgb){0.9f, 0.9f, 0.9f});
		disc(W * 0.72f + cosf(a) * 300, H * 0.35f + sinf(a) * 300 + 22, 20,
		     i % 2 ? red : (struct rgb){0.2f, 0.45f, 0.8f});
	}
	/* Striped tents along the field. */
	for (int k = 0; k < 4; k++) {
		int x0 = 60 + k * 300, y0 = H * 58 / 100;

		for (int x = x0; x < x0 + 260; x++)
			rect(x, y0, x + 1, y0 + 180, ((x - x0) / 26) % 2 ? red : cream);
		for (int y = 0; y < 90; y++)
			rect(x0 + 130 - (130 * y) / 90, y0 - 90 + y,
			     x0 + 130 + (130 * y) / 90, y0 - 89 + y, k % 2 ? cream : red);
	}
	rect(0, H * 73 / 100, W, H, (struct rgb){0.4f, 0.55f, 0.25f});
	/* The crowd: heads and shoulders in many colours. */
	for (int i = 0; i < 260; i++) {
		float x = rnd() * W, y = H * 0.76f + rnd() * H * 0.24f;
		struct rgb c = {0.2f + rnd() * 0.7f, 0.2f + rnd() * 0.6f, 0.2f + rnd() * 0.7f};

		disc(x, y + 30, 26, c);
		disc(x, y, 14, (struct rgb){0.55f + rnd() * 0.3f, 0.4f + rnd() * 0.2f, 0.3f});
	}
}

static void
scene_storm(void)
{
	sky((struct rgb){0.12f, 0.13f, 0.16f}, (struct rgb){0.38f, 0.4f, 0.42f},
	    0.9f, (struct rgb){0.22f, 0.23f, 0.26f});
	hills(H * 0.62f, 20, 4, 2.5f, (struct rgb){0.12f, 0.16f, 0.12f});
	for (int i = 0; i < 5; i++)
		tree(W * (0.1f + i * 0.2f), H * 0.66f, 160 + rnd() * 60,
		     (struct rgb){0.1f, 0.2f, 0.12f});
	/* Rain: long pale streaks slanting with the wind. */
	for (int i = 0; i < 1500; i++) {
		float x = rnd() * W, y = rnd() * H, len = 30 + rnd() * 50;

		for (int t = 0; t < (int)len; t++) {
			int xx = (int)(x + (float)t * 0.45f), yy = (int)(y + (float)t);

			if (xx >= 0 && xx < W && yy >= 0 && yy < H)
				px[yy][xx] = mix(px[yy][xx], (struct rgb){0.8f, 0.82f, 0.86f}, 0.35f);
		}
	}
}

static void
scene_school(void)
{
	sky((struct rgb){0.35f, 0.6f, 0.9f}, (struct rgb){0.85f, 0.92f, 0.98f},
	    0.5f, (struct rgb){1, 1, 1});
	building(W / 10, H * 30 / 100, W * 9 / 10, H * 75 / 100,
		 (struct rgb){0.62f, 0.32f, 0.24f}, 0.2f);
	/* The new wing: glass and pale stone. */
	building(W * 55 / 100, H * 20 / 100, W * 88 / 100, H * 75 / 100,
		 (struct rgb){0.86f, 0.84f, 0.8f}, 0.1f);
	rect(W * 44 / 100, H * 58 / 100, W * 52 / 100, H * 75 / 100,
	     (struct rgb){0.2f, 0.2f, 0.25f});
	rect(0, H * 75 / 100, W, H, (struct rgb){0.35f, 0.55f, 0.28f});
	rect(W * 40 / 100, H * 75 / 100, W * 56 / 100, H, (struct rgb){0.7f, 0.68f, 0.64f});
	for (int i = 0; i < 4; i++)
		tree(W * (0.05f + i * 0.3f), H * 0.82f, 200, (struct rgb){0.2f, 0.45f, 0.2f});
}

static int
save(const char *dir, const char *name)
{
	static unsigned char out[H][W][3];
	VipsImage *im;
	char path[4096];
	int rc;

	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			out[y][x][0] = (unsigned char)(clamp01(px[y][x].r) * 255 + 0.5f);
			out[y][x][1] = (unsigned char)(clamp01(px[y][x].g) * 255 + 0.5f);
			out[y][x][2] = (unsigned char)(clamp01(px[y][x].b) * 255 + 0.5f);
		}
	im = vips_image_new_from_memory(out, sizeof(out), W, H, 3,
					VIPS_FORMAT_UCHAR);
	if (!im)
		return -1;
	snprintf(path, sizeof(path), "%s/%s.jpg", dir, name);
	rc = vips_jpegsave(im, path, "Q", 82, "strip", TRUE,
			   "optimize_coding", TRUE, NULL);
	g_object_unref(im);
	if (rc)
		fprintf(stderr, "demo_photos: %s: %s\n", path, vips_error_buffer());
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*draw)(void);
	} scenes[] = {
		{"ferry-landing", scene_river}, {"river-bridge", scene_bridge},
		{"frost-fields", scene_frost},  {"harvest-fair", scene_fair},
		{"storm-watch", scene_storm},   {"science-wing", scene_school},
	};

	if (argc != 2 || VIPS_INIT(argv[0])) {
		fprintf(stderr, "usage: demo_photos DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(scenes) / sizeof(scenes[0]); i++) {
		seed = 7919u * (unsigned)(i + 1);
		noise_seed();
		scenes[i].draw();
		grain(0.035f);
		if (save(argv[1], scenes[i].name))
			return 1;
	}
	vips_shutdown();
	return 0;
}
