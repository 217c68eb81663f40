-- wrk script for `ops/bench registration`: each request is a submission by the next candidate
-- (sessions.tsv: cookie, CSRF token), the same valid form for all.
local sessions = {}
local body
local origin

function init(args)
  for line in io.lines(args[1] .. "/sessions.tsv") do
    local cookie, token = line:match("([^\t]+)\t([^\t]+)")
    sessions[#sessions + 1] = { cookie = cookie, token = token }
  end
  body = io.open(args[1] .. "/body.json"):read("*a")
  origin = args[2]
  counter = math.random(#sessions)
end

function request()
  counter = counter % #sessions + 1
  local session = sessions[counter]
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Cookie"] = session.cookie,
    ["X-CSRF-Token"] = session.token,
    ["Origin"] = origin,
  }, body)
end
