-- signin-flood.lua - wrk script for make bench's sign-in flood: POSTs
-- wrong passwords to /admin/login as fast as the connections allow, each
-- for a made-up account from a made-up address (the bench site trusts
-- X-Forwarded-For), so that neither throttle refuses it before the
-- password is hashed: every request costs the server one Argon2id
-- verification, or a 503 when the hashing queue is full. The sign-in
-- cookie and its CSRF token come from the environment (bench.sh read
-- them from one GET of the form), and so does the Origin a browser would
-- send with the form (the admin refuses a POST with none).
local cookie = os.getenv("GZ_LOGIN_COOKIE")
local origin = os.getenv("GZ_ORIGIN")
local csrf = os.getenv("GZ_LOGIN_CSRF")
local counter = 0

request = function()
	counter = counter + 1
	local n = counter
	local body = "name=nobody" .. n .. "&password=wrong-password-" .. n ..
		"&csrf=" .. csrf
	local headers = {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Cookie"] = cookie,
		["Origin"] = origin,
		["X-Forwarded-For"] = string.format("10.%d.%d.%d",
			math.random(0, 255), math.random(0, 255), math.random(1, 254)),
	}
	return wrk.format("POST", "/admin/login", headers, body)
end

