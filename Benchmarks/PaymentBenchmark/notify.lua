-- wrk script for `ops/bench payments`: each request posts the next signed notification of
-- bodies.txt. Thread k of n takes bodies k, k+n, k+2n, ...; after the last it starts again, and
-- the inbox recognises those as repeats. Arguments: OUT directory, number of threads.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1] .. "/bodies.txt") do bodies[#bodies + 1] = line end
  step = tonumber(args[2])
  index = offset
end

function request()
  local body = bodies[index]
  index = index + step
  if index > #bodies then index = offset end
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }, body)
end
