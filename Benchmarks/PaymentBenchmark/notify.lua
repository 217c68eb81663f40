-- wrk script for `ops/bench payments`: each request posts the next signed notification of
-- bodies.txt. Thread k of n takes bodies k, k+n, k+2n, ...; after the last it starts again, and
-- the inbox recognises those as repeats. Arguments: OUT directory, number of threads.
-- The requests are formatted once, before the run: wrk shares the machine with what it measures,
-- and formatting each request as it is sent cost about as much CPU as nginx spends on it.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads)
end

function init(args)
  local step, line_number = tonumber(args[2]), 0
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }
  requests = {}
  for line in io.lines(args[1] .. "/bodies.txt") do
    line_number = line_number + 1
    if (line_number - offset) % step == 0 then requests[#requests + 1] = wrk.format("POST", nil, headers, line) end
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end
