# Writes Services/Review/openapi.json: python3 ops/openapi/review.py > Services/Review/openapi.json
# (OpenAPITests checks the result against the routes the service really adds and its real answers.)
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *

schemas={
 "StaffApplication": obj({"username":s("string",maxLength=32),"name":s("string",maxLength=30),"phone":s("string",maxLength=11),"password":s("string",maxLength=64),
    "nodeID":s("string",maxLength=32)},["username","name","phone","password","nodeID"]),
 "ApplicationReceived": obj({"id":s("string"),"status":s("string",enum=["pending"])},["id","status"]),
 "StaffAccount": obj({"id":s("integer"),"username":s("string"),"name":s("string"),"phone":s("string",description="masked"),"nodeID":s("string"),"nodeName":s("string"),
    "roles":s("array",items=s("string",enum=staffRoles)),"status":s("string",enum=["pending","active","rejected","disabled"]),
    "appliedAt":s("string",format="date-time"),"decisionReason":nstr()},["id","username","name","phone","nodeID","nodeName","roles","status","appliedAt"]),
 "ApplicationDecision": obj({"roles":s("array",items=s("string",enum=staffRoles),description="approve: the roles, each allowed at the node"),
    "nodeID":nstr(32,description="approve: bind to this node instead (within the approver's subtree)"),"reason":nstr(200,description="reject: why")}),
 "StaffLogin": obj({"username":s("string"),"password":s("string")},["username","password"]),
 "StaffSignedIn": obj({"csrfToken":s("string",description="send back in X-CSRF-Token with every state-changing request, to every service"),
    "staff":ref("StaffAccount")},["csrfToken","staff"]),
 "PasswordChange": obj({"currentPassword":s("string"),"newPassword":s("string")},["currentPassword","newPassword"]),
 "ExemptionRequest": obj({"categoryCode":s("string",maxLength=10),"reason":s("string",maxLength=300)},["categoryCode","reason"]),
 "ExemptionApplication": obj({"categoryCode":s("string"),"categoryName":s("string"),"reason":s("string"),
    "status":s("string",enum=["applied","city_passed","city_refused","approved","refused"]),"appliedAt":s("string",format="date-time"),
    "refusalReason":nstr()},["categoryCode","categoryName","reason","status","appliedAt"]),
 "StatisticsCount": obj({"status":s("string"),"level":s("string"),"subjectCategory":s("string"),"candidates":s("integer")},
    ["status","level","subjectCategory","candidates"]),
 "Statistics": obj({"nodeID":s("string"),"nodeName":s("string"),"year":s("integer"),"total":s("integer"),
    "byStatus":s("object",additionalProperties=s("integer")),"counts":s("array",items=ref("StatisticsCount"))},
    ["nodeID","nodeName","year","total","byStatus","counts"]),
}
setcookie={"Set-Cookie":{"schema":s("string"),"description":"exam_staff_session: HttpOnly; SameSite=Strict; valid on every service's /staff routes"}}
paths={
 "/exemption":{"put":op("申请免试入学（提交报名信息后；市级审核前可修改）","200","ExemptionApplication",req="ExemptionRequest",tags=["exemption"]),
               "get":op("本人的免试入学申请及审核情况","200","ExemptionApplication",tags=["exemption"])},
 "/staff/applications":{"post":op("申请工作人员账号（待上级审批）","201","ApplicationReceived",req="StaffApplication",security=None,tags=["staff accounts"]),
                        "get":op("本辖区待审批的申请","200","StaffAccount",array=True,security="staff",tags=["staff accounts"])},
 "/staff/accounts":{"get":op("本辖区的工作人员账号","200","StaffAccount",array=True,security="staff",tags=["staff accounts"])},
 "/staff/accounts/{id}":{"get":op("一个工作人员账号（本辖区）","200","StaffAccount",security="staff",params=idp,tags=["staff accounts"])},
 "/staff/applications/{id}/approve":{"post":op("批准申请：绑定节点并分配角色","200","StaffAccount",req="ApplicationDecision",security="staff",params=idp,tags=["staff accounts"])},
 "/staff/applications/{id}/reject":{"post":op("拒绝申请（须说明原因）","200","StaffAccount",req="ApplicationDecision",security="staff",params=idp,tags=["staff accounts"])},
 "/staff/session":{"post":op("工作人员登录（会话对所有服务的 /staff 接口有效）","200","StaffSignedIn",req="StaffLogin",security=None,tags=["staff session"],
                              extra={"200":resp("200","StaffSignedIn",headers=setcookie)}),
                   "delete":op("退出登录","204",security="staff",tags=["staff session"])},
 "/staff/me":{"get":op("本人账号","200","StaffSignedIn",security="staff",tags=["staff session"])},
 "/staff/statistics":{"get":op("本辖区某机构的考生统计（按状态、层次、科类；由审核服务的工作进程根据考生事件维护）","200","Statistics",security="staff",tags=["statistics"],
    params=[query_param("node", s("string",maxLength=32), description="the member's own node by default"),
            query_param("year", s("integer",minimum=2000,maximum=2100), description="the current exam year by default")])},
 "/staff/me/password":{"post":op("修改密码（须输入当前密码；所有会话随之结束）","204",req="PasswordChange",security="staff",tags=["staff session"])},
}
emit(document("审核服务 (Review)", "/api/review", "", paths, schemas))
