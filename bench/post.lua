-- POST the same form body to a round-robin list of paths (BENCH_PATHS), e.g. a different
-- meeting for each booking. The session cookie comes from wrk's -H option.
local body = os.getenv("BENCH_BODY") or ""
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do
  table.insert(paths, path)
end
local counter = 0

function setup(thread)
  thread:set("offset", #paths > 1 and math.random(#paths) or 0)
end

-- wrk.format replaces wrk.headers (the -H cookie, Host) with the table it is given: copy them.
local headers = {}

function init(args)
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  counter = counter + 1
  local path = paths[((counter + (offset or 0)) % #paths) + 1]
  return wrk.format("POST", path, headers, body)
end
