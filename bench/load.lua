-- wrk script for every page of `make bench`.
--
-- BENCH_METHOD   GET (default) or POST
-- BENCH_BODY     the form body of a POST
-- BENCH_PATHS    paths taken round-robin, e.g. a different meeting for each booking (default: wrk's URL)
-- BENCH_BLOCKS   N: the paths are N equal blocks, one for each of wrk's N threads (-t N), so two threads
--                never write the same record (default: every thread takes every path, from a random start)
-- BENCH_COOKIES  "keep" (default): each thread keeps a cookie jar, starting from the -H "Cookie: ..." header
--                and updated from every Set-Cookie of a response (a deleted cookie goes), so a signed-in
--                session stays as fresh as a browser's; "fixed": always send the starting cookie.
--
-- At the end it prints one line that the runner reads:
--   BENCH statuses 2xx=N 3xx=N 4xx=N 5xx=N signin=N cookies=N
-- signin: redirects to /sign-in; cookies: Set-Cookie headers taken into a jar.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local keep = (os.getenv("BENCH_COOKIES") or "keep") == "keep"
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
  table.insert(paths, path)
end

local blocks = tonumber(os.getenv("BENCH_BLOCKS") or "0")
local threads = {}

function setup(thread)
  if blocks > 0 then
    local size = math.floor(#paths / blocks)
    thread:set("first", (#threads % blocks) * size)
    thread:set("size", size)
    thread:set("offset", 0)
  else
    thread:set("first", 0)
    thread:set("size", #paths)
    thread:set("offset", #paths > 1 and math.random(#paths) or 0)
  end
  table.insert(threads, thread)
end

-- Per thread (globals of the thread's Lua state, read back with thread:get in done()).
n2xx, n3xx, n4xx, n5xx, signin, cookies = 0, 0, 0, 0, 0, 0
local counter = 0
local headers = {}
local jar, names = {}, {}   -- cookie name -> value; names in the order first seen

local function remember(name, value)
  if jar[name] == nil then
    table.insert(names, name)
  end
  jar[name] = value
end

local function forget(name)
  jar[name] = nil
  for i, known in ipairs(names) do
    if known == name then
      table.remove(names, i)
      break
    end
  end
end

local function cookie_header()
  local pairs_ = {}
  for _, name in ipairs(names) do
    table.insert(pairs_, name .. "=" .. jar[name])
  end
  return table.concat(pairs_, "; ")
end

local function rebuild()
  local value = cookie_header()
  headers["Cookie"] = value ~= "" and value or nil
end

-- "name=value; Path=/; Expires=...": a past expiry or Max-Age=0 deletes the cookie.
function take_cookie(set_cookie)
  local name, value = string.match(set_cookie, "^%s*([^=;%s]+)=([^;]*)")
  if not name then
    return
  end
  local lower = string.lower(set_cookie)
  if string.find(lower, "max%-age=0") or string.find(lower, "expires=thu, 01 jan 1970") then
    forget(name)
  else
    remember(name, value)
  end
  cookies = cookies + 1
  rebuild()
end

-- wrk.format replaces wrk.headers (the -H cookie, Host) with the table it is given: copy them.
function init(args)
  for name, value in pairs(wrk.headers) do
    if string.lower(name) == "cookie" then
      for pair in string.gmatch(value, "[^;]+") do
        local n, v = string.match(pair, "^%s*([^=%s]+)=(.*)$")
        if n then
          remember(n, v)
        end
      end
    else
      headers[name] = value
    end
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  rebuild()
end

function request()
  counter = counter + 1
  local path = wrk.path
  if #paths > 0 then
    path = paths[first + ((counter - 1 + offset) % size) + 1]
  end
  return wrk.format(method, path, headers, method == "POST" and (body or "") or nil)
end

function response(status, response_headers, _)
  if status < 300 then
    n2xx = n2xx + 1
  elseif status < 400 then
    n3xx = n3xx + 1
  elseif status < 500 then
    n4xx = n4xx + 1
  else
    n5xx = n5xx + 1
  end
  for name, value in pairs(response_headers) do
    local lower = string.lower(name)
    if lower == "location" and status >= 300 and status < 400 and string.find(value, "/sign-in", 1, true) then
      signin = signin + 1
    elseif lower == "set-cookie" and keep then
      take_cookie(value)
    end
  end
end

function done(summary, latency, requests)
  local totals = {n2xx = 0, n3xx = 0, n4xx = 0, n5xx = 0, signin = 0, cookies = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  io.write(string.format("BENCH statuses 2xx=%d 3xx=%d 4xx=%d 5xx=%d signin=%d cookies=%d\n",
    totals.n2xx, totals.n3xx, totals.n4xx, totals.n5xx, totals.signin, totals.cookies))
end
