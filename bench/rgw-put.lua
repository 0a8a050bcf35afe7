-- wrk script: PUTs 1 KiB objects, keys 0 .. total-1 split between wrk's threads, each key once.
-- wrk -t T -c C -d LIMIT -s rgw-put.lua URL -- BUCKET TOTAL T flat|tree
--   flat: k/0000000 ...   tree: s/<i % 10000, 5 digits>/<i // 10000, 5 digits>
-- Unsigned requests: the bucket's policy lets anyone PutObject (bench/listing.py sets it).
-- Each thread stops once every PUT of its slice is answered and says so (a line "slice written"):
-- wrk itself runs until -d, so the caller ends it with SIGINT once every thread has; done() then
-- prints how many PUTs were not a 2xx.
-- The requests that are not PUTs (wrk's check, and what a connection sends once the slice is all
-- sent) ask for a bucket that does not exist: their 404 tells them from the PUTs' answers.
local IDLE = "/no-such-bucket-here"
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  bucket, total, nthreads, shape = args[1], tonumber(args[2]), tonumber(args[3]), args[4]
  local per = math.ceil(total / nthreads)
  nextkey = id * per
  last = math.min(total, (id + 1) * per)
  slice = math.max(0, last - nextkey)
  if slice == 0 then
    io.write("slice written\n")
    io.flush()
  end
  body = string.rep("x", 1024)
  -- wrk calls thread 0's request() once before any connection, to check it: that call must not take a key.
  checked = id ~= 0
  answered, failed = 0, 0
end

local function key(i)
  if shape == "tree" then
    return string.format("s/%05d/%05d", i % 10000, math.floor(i / 10000))
  end
  return string.format("k/%07d", i)
end

function request()
  if not checked then
    checked = true
    return wrk.format("HEAD", IDLE)
  end
  if nextkey >= last then
    return wrk.format("HEAD", IDLE)
  end
  local path = "/" .. bucket .. "/" .. key(nextkey)
  nextkey = nextkey + 1
  return wrk.format("PUT", path, nil, body)
end

function response(status, headers, body)
  if status == 404 then
    return
  end
  answered = answered + 1
  if status < 200 or status > 299 then
    failed = failed + 1
  end
  if answered == slice then
    io.write("slice written\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do
    failures = failures + t:get("failed")
  end
  io.write(string.format("put_failures=%d\n", failures))
end
