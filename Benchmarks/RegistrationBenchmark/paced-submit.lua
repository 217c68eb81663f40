-- submit.lua with each connection pausing between its requests (the third argument, in
-- milliseconds): `ops/bench registration` runs it at 80% of the highest rate it measured, to
-- report the latency candidates see when the system is busy but not saturated.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "submit.lua")

local submitInit = init
local pause = 0

function init(args)
  submitInit(args)
  pause = tonumber(args[3] or "0")
end

-- Exponentially distributed pauses (each connection a Poisson source): equal pauses would keep
-- the connections in step, arriving as bursts that measure the burst, not the rate.
function delay()
  return -math.log(1 - math.random()) * pause
end
