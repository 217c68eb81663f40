# Writes Services/Arrangement/openapi.json: python3 ops/openapi/arrangement.py > Services/Arrangement/openapi.json
# (OpenAPITests checks the result against the routes the service really adds and its real answers.)
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *

runp=[path_param("id", s("string",format="uuid"))]
districtp=runp+[path_param("code", s("string",pattern="^[0-9]{4}$"))]
sitep=[path_param("id", s("string",maxLength=40))]
stages=["proposed","city_reviewed","approved","returned"]
tag=lambda t: [t]

schemas={
 "ExamDistrictInput": obj({"name":s("string",maxLength=40),"cityID":s("string",maxLength=32),
    "officeID":nstr(32,description="the city (by default) or one of its counties: whose officers allocate the district's rooms")},["name","cityID"]),
 "ExamDistrict": obj({"code":s("string"),"name":s("string"),"cityID":s("string"),"officeID":s("string")},["code","name","cityID","officeID"]),
 "ExamSiteProposal": obj({"name":s("string",maxLength=60),"districtCode":s("string",maxLength=4),"address":s("string",maxLength=100),"contact":s("string",maxLength=30),
    "phone":s("string",maxLength=20),"rooms":s("integer",minimum=1,maximum=999),"seatsPerRoom":s("integer",minimum=1,maximum=99,description="30 by default"),
    "accessibleRooms":s("integer",minimum=0,maximum=999)},["name","districtCode","address","contact","phone","rooms"]),
 "ExamSite": obj({"id":s("string"),"name":s("string"),"countyID":s("string"),"districtCode":s("string"),"address":s("string"),"contact":s("string"),"phone":s("string"),
    "rooms":s("integer"),"seatsPerRoom":s("integer"),"accessibleRooms":s("integer"),"status":s("string",enum=stages),"statusReason":nstr(),"closed":s("boolean")},
    ["id","name","countyID","districtCode","address","contact","phone","rooms","seatsPerRoom","accessibleRooms","status","closed"]),
 "CityReview": obj({"approve":s("boolean"),"reason":nstr(200,description="required when returning")},["approve"]),
 "ProvinceDecision": obj({"reason":nstr(200,description="required when returning")}),
 "ScopeRule": obj({"countyID":s("string",maxLength=12),"examGroup":s("string",pattern="^([0-9]{2}|all)$",description="a group's code, or all"),
    "districtCode":s("string",pattern="^[0-9]{4}$")},["countyID","examGroup","districtCode"]),
 "NumberingRequest": obj({"seed":nstr(64,description="8-64 characters without spaces or control characters (its UTF-8 bytes key the HMAC), for example drawn in public; made here when absent")}),
 "NumberingProblem": obj({"code":s("string",enum=["examination.missing","group.unknown","scope.uncovered","scope.overlapping","district.seats","district.rooms",
    "district.room_numbers","code.invalid"]),"message":s("string"),"countyID":nstr(),"examGroup":nstr(),"districtCode":nstr(),"candidates":s("integer"),
    "examples":s("array",items=s("string"),description="up to 5 candidate numbers")},["code","message","candidates","examples"]),
 "NumberingRules": obj({"examination":{"anyOf":[{"type":"null"},obj({"groups":s("array",items=obj({"code":s("string"),"level":s("string"),"subjectCategory":s("string")},
    ["code","level","subjectCategory"])),"seatsPerRoom":s("integer"),"mixRemainders":s("boolean")},["groups","seatsPerRoom","mixRemainders"])]},
    "scopeRules":s("array",items=ref("ScopeRule"))},["scopeRules"]),
 "NumberingRun": obj({"id":s("string",format="uuid"),"year":s("integer"),"seed":s("string"),"status":s("string",enum=["queued","running","done","refused"]),
    "phase":nstr(description="while running: roster, checks, order, write, commit"),"percent":s("integer",minimum=0,maximum=100),
    "problems":{"type":["array","null"],"items":ref("NumberingProblem")},"rules":{"anyOf":[{"type":"null"},ref("NumberingRules")]},
    "digest":nstr(description="SHA-256 of the lines ticket,candidateNumber in ticket order"),"candidates":nint(),"rooms":nint(),
    "requestedAt":s("string",format="date-time"),"finishedAt":nstr(format="date-time"),"publishedAt":nstr(format="date-time")},
    ["id","year","seed","status","percent","requestedAt"]),
 "DistrictAllocation": obj({"runID":s("string",format="uuid"),"districtCode":s("string"),"status":s("string",enum=["draft","submitted","accepted","returned"]),
    "statusReason":nstr(),"rooms":s("array",items=obj({"room":s("integer"),"groups":s("array",items=s("string")),"seats":s("integer"),"siteID":nstr()},
    ["room","groups","seats"])),"sites":s("array",items=obj({"id":s("string"),"name":s("string"),"countyID":s("string"),"rooms":s("integer"),"seatsPerRoom":s("integer"),
    "accessibleRooms":s("integer"),"roomsUsed":s("integer")},["id","name","countyID","rooms","seatsPerRoom","accessibleRooms","roomsUsed"]))},
    ["runID","districtCode","status","rooms","sites"]),
 "AllocationAdjustment": obj({"rooms":s("array",items=obj({"room":s("integer",minimum=1,maximum=999),"siteID":s("string",maxLength=40)},["room","siteID"]),
    minItems=1,maxItems=999)},["rooms"]),
 "CandidateMove": obj({"candidateNumber":s("string",pattern="^[0-9]{14}$"),"room":nint(minimum=1,maximum=999,description="an existing room of the candidate's group"),
    "siteID":nstr(40,description="or a new room at this site"),"reason":s("string",maxLength=200)},["candidateNumber","reason"]),
 "CandidateMoved": obj({"candidateNumber":s("string"),"ticket":s("string")},["candidateNumber","ticket"]),
 "SiteClosure": obj({"moveTo":s("string",maxLength=40),"reason":s("string",maxLength=200)},["moveTo","reason"]),
 "SiteClosed": obj({"siteID":s("string"),"movedTo":s("string"),"candidates":s("integer")},["siteID","movedTo","candidates"]),
 "AdmissionTicket": obj({"ticket":s("string"),"candidateNumber":s("string"),"districtCode":s("string"),"districtName":s("string"),"examGroup":s("string"),
    "room":s("integer"),"seat":s("integer"),"siteName":s("string"),"siteAddress":s("string")},
    ["ticket","candidateNumber","districtCode","districtName","examGroup","room","seat","siteName","siteAddress"]),
}

def csvfile(summary, params):
    o=op(summary,"200",security="staff",tags=tag("numbering"),params=params)
    o["responses"]["200"]={"description":"the file","content":{"text/csv; charset=utf-8":{"schema":s("string")}}}
    return o

alloc="/staff/numbering-runs/{id}/districts/{code}/allocation"
paths={
 "/staff/exam-districts":{"get":op("本市州（或所属市州）的考区","200","ExamDistrict",array=True,security="staff",tags=tag("exam sites"))},
 "/staff/exam-districts/{code}":{"put":op("省级设置考区（4 位代码，属于一个市州）","200","ExamDistrict",req="ExamDistrictInput",security="staff",tags=tag("exam sites"),
    params=[path_param("code", s("string",maxLength=8))])},
 "/staff/exam-sites":{"post":op("县市区申报考点","201","ExamSite",req="ExamSiteProposal",security="staff",tags=tag("exam sites")),
                      "get":op("本辖区的考点","200","ExamSite",array=True,security="staff",tags=tag("exam sites"))},
 "/staff/exam-sites/{id}/review":{"post":op("市州审核考点：报省或退回","200","ExamSite",req="CityReview",security="staff",params=sitep,tags=tag("exam sites"))},
 "/staff/exam-sites/{id}/approve":{"post":op("省级审定考点","200","ExamSite",req="ProvinceDecision",security="staff",params=sitep,tags=tag("exam sites"))},
 "/staff/exam-sites/{id}/return":{"post":op("省级退回考点（说明原因）","200","ExamSite",req="ProvinceDecision",security="staff",params=sitep,tags=tag("exam sites"))},
 "/staff/exam-sites/{id}/close":{"post":op("发布后关闭考点，其考场（号码不变）移到本考区另一考点","200","SiteClosed",req="SiteClosure",security="staff",params=sitep,
    tags=tag("corrections"))},
 "/staff/scope-rules":{"put":op("市州设置参考范围：某县市区某科类组（all：全部）的考生在哪个考区参考","200","ScopeRule",req="ScopeRule",security="staff",tags=tag("scope rules")),
                       "get":op("本辖区本年度的参考范围","200","ScopeRule",array=True,security="staff",tags=tag("scope rules"))},
 "/staff/scope-rules/{county}/{group}":{"delete":op("删除一条参考范围","204",security="staff",tags=tag("scope rules"),
    params=[path_param("county", s("string",maxLength=12)),path_param("group", s("string",maxLength=3))])},
 "/staff/numbering-runs":{"post":op("省级编排全省准考证号（排队，由编排服务的后台进程完成）","202","NumberingRun",req="NumberingRequest",security="staff",tags=tag("numbering")),
                          "get":op("本年度的编排（新的在前）","200","NumberingRun",array=True,security="staff",tags=tag("numbering"))},
 "/staff/numbering-runs/{id}":{"get":op("一次编排：进度、问题、所用规则和摘要","200","NumberingRun",security="staff",params=runp,tags=tag("numbering"))},
 "/staff/numbering-runs/{id}/tickets":{"get":csvfile("编排结果（准考证号,考生号，按准考证号排序；摘要即其 SHA-256）",runp)},
 "/staff/numbering-runs/{id}/publish":{"post":op("省级发布编排（各考区考场分配均经市州审核通过）","204",security="staff",params=runp,tags=tag("numbering"))},
 alloc:{"get":op("考区的考场和可用考点","200","DistrictAllocation",security="staff",params=districtp,tags=tag("room allocation")),
        "put":op("调整考场所在考点（只改列出的考场）","200","DistrictAllocation",req="AllocationAdjustment",security="staff",params=districtp,tags=tag("room allocation"))},
 alloc+"/proposal":{"post":op("自动分配考场到考点（同科类组考场连续，按县市区顺序）","200","DistrictAllocation",security="staff",params=districtp,tags=tag("room allocation"))},
 alloc+"/submit":{"post":op("考区提交分配给市州审核","200","DistrictAllocation",security="staff",params=districtp,tags=tag("room allocation"))},
 alloc+"/review":{"post":op("市州审核考区的分配：通过或退回","200","DistrictAllocation",req="CityReview",security="staff",params=districtp,tags=tag("room allocation"))},
 "/staff/arrangement/candidate-moves":{"post":op("发布后调整一名考生的考场（如无障碍考场），其他考生号码不变","200","CandidateMoved",req="CandidateMove",security="staff",
    tags=tag("corrections"))},
 "/admission-ticket":{"get":op("考生本人的准考证号和考点（发布后）","200","AdmissionTicket",tags=tag("candidate"))},
}
emit(document("考务编排 (Arrangement)", "/api/arrangement", "", paths, schemas))
