# Writes Services/Confirmation/openapi.json: python3 ops/openapi/confirmation.py > Services/Confirmation/openapi.json
# (OpenAPITests checks the result against the routes the service really adds and its real answers.)
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *

hours=s("array",items=s("array",items=s("string",description="HH:MM, China time; an interval may end at 24:00"),minItems=2,maxItems=2),
        description='working hours, e.g. [["08:00","12:00"],["15:00","18:00"]]')
pointStatuses=["proposed","city_reviewed","approved","returned"]
schemas={
 "PointProposal": obj({"name":s("string",maxLength=60),"address":s("string",maxLength=100),"contact":s("string",maxLength=30),"phone":s("string",maxLength=20),
    "levels":s("array",items=s("string",enum=levels)),"lowAge":s("boolean"),"medical":s("boolean"),"dailyCapacity":s("integer"),"hours":hours},
    ["name","address","contact","phone","levels"]),
 "ConfirmationPoint": obj({"id":s("string"),"name":s("string"),"countyID":s("string"),"address":s("string"),"contact":s("string"),"phone":s("string"),
    "levels":s("array",items=s("string")),"lowAge":s("boolean"),"medical":s("boolean"),"dailyCapacity":s("integer"),"hours":hours,
    "status":s("string",enum=pointStatuses),"statusReason":nstr()},
    ["id","name","countyID","address","contact","phone","levels","lowAge","medical","dailyCapacity","hours","status"]),
 "PointReview": obj({"approve":s("boolean"),"reason":nstr(200)},["approve"]),
 "PointDecision": obj({"reason":nstr(200)}),
 "HoursOverride": obj({"day":s("string",description="YYYY-MM-DD"),"reason":s("string",maxLength=200)},["day","reason"]),
 "HoursOverrideGranted": obj({"pointID":s("string"),"day":s("string")},["pointID","day"]),
 "SlotRequest": obj({"day":s("string",description="YYYY-MM-DD, today or later"),"startsAt":s("string",description="HH:MM, 00:00-23:59"),
    "endsAt":s("string",description="HH:MM, up to 24:00"),"capacity":s("integer",minimum=1,maximum=1000)},["day","startsAt","endsAt","capacity"]),
 "PublishedSlot": obj({"id":s("integer"),"day":s("string"),"startsAt":s("string"),"endsAt":s("string"),"capacity":s("integer")},["id","day","startsAt","endsAt","capacity"]),
 "DueCandidate": obj({"candidateID":s("integer"),"name":s("string"),"documentNumber":s("string",description="masked"),"startsAt":s("string"),"endsAt":s("string")},
    ["candidateID","name","documentNumber","startsAt","endsAt"]),
 "ConfirmationRequest": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string"),
    "notes":nstr(500,description="permit and foreign-document holders: what the operator checked, for the city")},["documentNumber"]),
 "Confirmed": obj({"candidateID":s("integer"),"status":s("string",enum=["confirmed","pending_city_review"]),"candidateNumber":nstr(description="考生号, 14 digits")},
    ["candidateID","status"]),
 "PermitCase": obj({"candidateID":s("integer"),"pointID":s("string"),"documentType":s("string"),"notes":s("string"),"scanCount":s("integer"),
    "referredAt":s("string",format="date-time")},["candidateID","pointID","documentType","notes","scanCount","referredAt"]),
 "PermitDecision": obj({"reason":nstr(200)}),
 "PermitDecided": obj({"candidateID":s("integer"),"status":s("string",enum=["confirmed","submitted"]),"candidateNumber":nstr()},["candidateID","status"]),
 "PhotoCaptured": obj({"candidateID":s("integer"),"width":s("integer"),"height":s("integer"),"uploadedFormat":s("string"),"storedBytes":s("integer")},
    ["candidateID","width","height","uploadedFormat","storedBytes"]),
 "ScanAdded": obj({"scanID":s("integer"),"width":s("integer"),"height":s("integer")},["scanID","width","height"]),
 "BonusClaim": obj({"policyCode":s("string",maxLength=20),"evidence":s("string",maxLength=500)},["policyCode","evidence"]),
 "BonusClaimRecord": obj({"policyCode":s("string"),"policyName":s("string"),"points":s("integer"),"evidence":s("string"),"status":s("string")},
    ["policyCode","policyName","points","evidence","status"]),
 "BonusClaims": obj({"candidateID":s("integer"),"claims":s("array",items=ref("BonusClaimRecord")),"countedPolicyCode":nstr(),"countedPoints":s("integer")},
    ["candidateID","claims","countedPoints"]),
 "PaperFormProgress": obj({"batchID":s("string",format="uuid"),"fileName":s("string"),"status":s("string"),"totalRows":nint(),"processedRows":s("integer"),
    "created":s("integer"),"updated":s("integer"),"unchanged":s("integer"),"errors":s("integer"),"failure":nstr()},
    ["batchID","fileName","status","processedRows","created","updated","unchanged","errors"]),
 "DocumentRequest": obj({"requestID":s("string",format="uuid"),"kind":s("string"),"candidateID":s("integer"),"status":s("string")},["requestID","kind","candidateID","status"]),
}
pointp=[path_param("id", s("string",maxLength=32))]
uuidp=[path_param("id", s("string",format="uuid"))]
images=raw_body("image/jpeg","image/png","image/bmp")
paths={
 "/staff/points":{"post":op("县级申报报名确认点","201","ConfirmationPoint",req="PointProposal",security="staff",tags=["points"]),
                  "get":op("本辖区的报名确认点","200","ConfirmationPoint",array=True,security="staff",tags=["points"])},
 "/staff/points/{id}/review":{"post":op("市级审核确认点（通过或退回并说明原因）","200","ConfirmationPoint",req="PointReview",security="staff",params=pointp,tags=["points"])},
 "/staff/points/{id}/approve":{"post":op("省级批准确认点（须经市级审核）","200","ConfirmationPoint",req="PointDecision",security="staff",params=pointp,tags=["points"])},
 "/staff/points/{id}/return":{"post":op("省级退回确认点（须说明原因）","200","ConfirmationPoint",req="PointDecision",security="staff",params=pointp,tags=["points"])},
 "/staff/points/{id}/hours-overrides":{"post":op("县级允许确认点某日在工作时间外办理","201","HoursOverrideGranted",req="HoursOverride",security="staff",params=pointp,tags=["points"])},
 "/staff/points/{id}/slots":{"post":op("发布现场确认预约时段（须在工作时间内）","201","PublishedSlot",req="SlotRequest",security="staff",params=pointp,tags=["appointments"])},
 "/staff/points/{id}/appointments":{"get":op("某日已预约的考生（留痕）","200","DueCandidate",array=True,security="staff",tags=["appointments"],
    params=pointp+[query_param("day", s("string"), description="YYYY-MM-DD; today by default")])},
 "/staff/confirmations":{"post":op("现场确认：锁定报名信息并分配考生号（持港澳台、外籍证件者转市级审核，202）","200","Confirmed",req="ConfirmationRequest",security="staff",
    tags=["confirmation"],extra={"202":resp("202","Confirmed")})},
 "/staff/permit-reviews":{"get":op("待市级审核的持证考生","200","PermitCase",array=True,security="staff",tags=["confirmation"])},
 "/staff/permit-reviews/{id}/approve":{"post":op("市级通过：确认并分配考生号","200","PermitDecided",req="PermitDecision",security="staff",params=idp,tags=["confirmation"])},
 "/staff/permit-reviews/{id}/refuse":{"post":op("市级不予通过（须说明原因），考生回到已提交","200","PermitDecided",req="PermitDecision",security="staff",params=idp,tags=["confirmation"])},
 "/staff/candidates/{id}/photo":{"put":op("采集考生相片（JPEG、PNG 或 BMP，按内容判断）","200","PhotoCaptured",reqbody=images,security="staff",params=idp,tags=["photos"]),
                                 "get":op("考生相片（JPEG）","200",security="staff",params=idp,tags=["photos"],okctype="image/jpeg")},
 "/staff/candidates/{id}/document-scans":{"post":op("上传持证考生的证件扫描件","201","ScanAdded",reqbody=images,security="staff",params=idp,tags=["photos"])},
 "/staff/candidates/{id}/bonus-claims":{"post":op("登记照顾加分（只计最高一项）","201","BonusClaims",req="BonusClaim",security="staff",params=idp,tags=["bonus"]),
                                        "get":op("考生的照顾加分","200","BonusClaims",security="staff",params=idp,tags=["bonus"])},
 "/staff/paper-forms":{"post":op("上传一批信息采集草表（CSV 或 XLSX），由工作进程逐行导入","202","PaperFormProgress",
    reqbody=raw_body("text/csv","application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),security="staff",tags=["paper-forms"],
    params=[query_param("fileName", s("string",maxLength=200))])},
 "/staff/paper-forms/{id}":{"get":op("草表批次的导入进度","200","PaperFormProgress",security="staff",params=uuidp,tags=["paper-forms"])},
 "/staff/paper-forms/{id}/report":{"get":op("逐行导入报告（CSV）","200",security="staff",params=uuidp,tags=["paper-forms"],okctype="text/csv")},
 "/staff/candidates/{id}/flow-form":{"post":op("申请打印报名流程表（排队生成）","202","DocumentRequest",security="staff",params=idp,tags=["documents"])},
 "/staff/document-requests/{id}":{"get":op("文档申请的状态","200","DocumentRequest",security="staff",params=uuidp,tags=["documents"])},
}
emit(document("现场确认服务 (Confirmation)", "/api/confirmation", "", paths, schemas))
