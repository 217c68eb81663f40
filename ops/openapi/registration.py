# Writes Services/Registration/openapi.json: python3 ops/openapi/registration.py > Services/Registration/openapi.json
# (OpenAPITests checks the result against the routes the service really adds and its real answers.)
import json
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def s(t, **kw): d={"type": t}; d.update(kw); return d
def nstr(maxLength=None, **kw):
    d={"type":["string","null"]}
    if maxLength: d["maxLength"]=maxLength
    d.update(kw); return d
def obj(props, required=(), additional=None):
    d={"type":"object","properties":props}
    if required: d["required"]=list(required)
    if additional is not None: d["additionalProperties"]=additional
    return d
levels=["high_school_to_bachelor","high_school_to_associate","associate_to_bachelor"]
forms=["part_time","correspondence","full_time"]
docTypes=["resident_id","hmt_permit","overseas_chinese_passport","foreigner_residence_permit"]
schemas={
 "FieldError": obj({"field":s("string"),"code":s("string"),"message":s("string")},["field","code","message"]),
 "Error": obj({"error": obj({"code":s("string"),"message":s("string"),"fields":s("array",items=ref("FieldError"))},["code","message"])},["error"]),
 "CandidateAccount": obj({"id":s("integer"),"documentType":s("string",enum=docTypes),"documentNumber":s("string",description="masked: first 6 and last 4 characters"),
    "name":s("string"),"phone":s("string",description="masked"),"countyID":s("string"),"countyName":s("string"),
    "status":s("string",enum=["registered","submitted","confirmed","paid","exempt","invalid"]),"createdAt":s("string",format="date-time")},
    ["id","documentType","documentNumber","name","phone","countyID","countyName","status","createdAt"]),
 "SignedIn": obj({"csrfToken":s("string",description="send back in X-CSRF-Token with every state-changing request"),"candidate":ref("CandidateAccount")},["csrfToken","candidate"]),
 "SignUp": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string",maxLength=20),"name":s("string",maxLength=30),
    "phone":s("string",maxLength=11),"password":s("string",maxLength=64),"countyID":s("string",maxLength=32)},
    ["documentType","documentNumber","name","phone","password","countyID"]),
 "Login": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string"),"password":s("string")},["documentNumber","password"]),
 "ResetCodeRequest": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string")},["documentNumber"]),
 "PasswordReset": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string"),"code":s("string"),"newPassword":s("string")},["documentNumber","code","newPassword"]),
 "PasswordChange": obj({"currentPassword":s("string"),"newPassword":s("string")},["currentPassword","newPassword"]),
 "PhoneChange": obj({"currentPassword":s("string"),"phone":s("string")},["currentPassword","phone"]),
 "Message": obj({"message":s("string")},["message"]),
 "BasicInformation": obj({k:v for k,v in {
    "gender":{"type":["string","null"],"enum":["male","female",None]},"ethnicGroup":nstr(10),"birthDate":nstr(10,description="YYYY-MM-DD"),
    "politicalStatus":nstr(10),"educationLevel":nstr(10),"foreignLanguage":nstr(10),"candidateCharacteristic":nstr(10),
    "enrolmentCategory":nstr(10),"graduationDate":nstr(10),"graduatedFrom":nstr(60),"diplomaNumber":nstr(30),
    "medicalCertificateNumber":nstr(30),"occupationCategory":nstr(10),"workStartDate":nstr(10),"phone":nstr(11),
    "postalAddress":nstr(100),"postcode":nstr(6),"householdCity":nstr(12),"remarks":nstr(200)}.items()}),
 "ApplicationChoice": obj({"level":{"type":["string","null"],"enum":levels+[None]},"subjectCategory":nstr(20),
    "studyForm":{"type":["string","null"],"enum":forms+[None]},"institutionCode":nstr(20),"majorCode":nstr(20)}),
 "RegistrationForm": obj({"basic":ref("BasicInformation"),"choices":s("array",items=ref("ApplicationChoice"),maxItems=2),"confirmationPointID":nstr(32)}),
 "SavedRegistration": obj({"form":ref("RegistrationForm"),"year":s("integer"),"pledgeVersion":nstr(),"pledgeSignedAt":nstr(format="date-time"),
    "submittedAt":nstr(format="date-time"),"revision":s("integer")},["form","year","revision"]),
 "Submitted": obj({"status":s("string"),"revision":s("integer")},["status","revision"]),
 "Pledge": obj({"version":s("string"),"text":s("string")},["version","text"]),
 "PledgeSignature": obj({"version":s("string")},["version"]),
 "ConfirmationPoint": obj({"id":s("string"),"name":s("string"),"cityID":s("string"),"countyID":s("string"),"address":s("string"),"phone":s("string"),
    "levels":s("array",items=s("string",enum=levels)),"lowAge":s("boolean"),"medical":s("boolean"),"hours":s("array",items=s("array",items=s("string")))},
    ["id","name","cityID","countyID","address","phone","levels","lowAge","medical","hours"]),
 "StatusView": obj({"status":s("string"),"statusName":s("string"),"problems":s("array",items=ref("FieldError")),
    "confirmationPoint":{"oneOf":[ref("ConfirmationPoint"),{"type":"null"}]},"nextStep":s("string")},["status","statusName","problems","nextStep"]),
 "Code": obj({"code":s("string"),"name":s("string"),"levels":s("array",items=s("string",enum=levels)),"diploma":s("boolean"),"points":s("integer")},["code","name"]),
 "Calendar": obj({"registrationOpens":s("string",format="date-time"),"registrationCloses":s("string",format="date-time"),
    "localOnlyUntil":s("string",format="date-time"),"localOnlyCities":s("array",items=s("string")),"paymentDeadline":s("string",format="date-time"),
    "ageReferenceDate":s("string"),"lowAgeBelow":s("integer")},["registrationOpens","registrationCloses","localOnlyCities","paymentDeadline","ageReferenceDate","lowAgeBelow"]),
 "CodeLists": obj({k:s("array",items=ref("Code")) for k in ["educationLevels","foreignLanguages","candidateCharacteristics","enrolmentCategories","occupationCategories","bonusPolicies"]},
    ["educationLevels","foreignLanguages","candidateCharacteristics","enrolmentCategories","occupationCategories"]),
 "PublicExamYear": obj({"year":s("integer"),"calendar":ref("Calendar"),"feeFen":s("integer"),"codeLists":ref("CodeLists"),"pledgeVersion":s("string")},
    ["year","calendar","feeFen","codeLists","pledgeVersion"]),
 "ExamYearDocument": obj({"year":s("integer"),"calendar":ref("Calendar"),"feeFen":s("integer"),"codeLists":ref("CodeLists"),"pledge":ref("Pledge")},
    ["year","calendar","feeFen","codeLists","pledge"]),
 "CatalogueImported": obj({"majors":s("integer")},["majors"]),
 "DocumentLookup": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string")},["documentNumber"]),
 "PhoneCorrection": obj({"phone":s("string")},["phone"]),
 "AppointmentSlot": obj({"id":s("integer"),"day":s("string"),"startsAt":s("string"),"endsAt":s("string"),"remaining":s("integer")},["id","day","startsAt","endsAt","remaining"]),
 "Booking": obj({"slotID":s("integer")},["slotID"]),
 "PaymentOrderRequest": obj({"provider":s("string",enum=["alipay","wechat"])},["provider"]),
 "PaymentOrder": obj({"orderNo":s("string"),"provider":s("string",enum=["alipay","wechat"]),"amountFen":s("integer"),
    "status":s("string",enum=["open","paid","expired","closed"]),"expiresAt":s("string",format="date-time"),"payURL":s("string")},
    ["orderNo","provider","amountFen","status","expiresAt","payURL"]),
 "Health": obj({"service":s("string"),"status":s("string"),"failed":s("array",items=s("string")),"checks":s("object",additionalProperties=s("string"))},["service","status","failed","checks"]),
}
def body(name, ctype="application/json"): return {"required":True,"content":{ctype:{"schema":ref(name) if name else s("string")}}}
def resp(code, name=None, desc="", array=False, headers=None):
    r={"description":desc or code}
    if name: r["content"]={"application/json":{"schema":s("array",items=ref(name)) if array else ref(name)}}
    if headers: r["headers"]=headers
    return r
errors={"4XX":resp("4XX","Error","请求有误、未登录、无权限、冲突或过于频繁（429，带 Retry-After）"),
        "503":resp("503","Error","会话或限流服务暂不可用（不放行）")}
def op(summary, ok, okname=None, req=None, array=False, security="candidate", tags=None, params=None, extra=None):
    o={"summary":summary,"responses":{ok:resp(ok,okname,array=array),**errors}}
    if extra: o["responses"].update(extra)
    if req: o["requestBody"]=body(req) if req!="csv" else {"required":True,"content":{"text/csv":{"schema":s("string")}}}
    if security=="candidate": o["security"]=[{"candidateSession":[],"csrfToken":[]}]
    elif security=="staff": o["security"]=[{"staffSession":[],"csrfToken":[]}]
    else: o["security"]=[]
    if params: o["parameters"]=params
    if tags: o["tags"]=tags
    return o
idp=[{"name":"id","in":"path","required":True,"schema":s("integer",minimum=1)}]
yearp=[{"name":"year","in":"path","required":True,"schema":s("integer",minimum=2000,maximum=2100)}]
setcookie={"Set-Cookie":{"schema":s("string"),"description":"exam_candidate_session: HttpOnly; SameSite=Strict"}}
paths={
 "/health":{"get":{**op("服务健康状况","200","Health",security=None),"responses":{"200":resp("200","Health"),"503":resp("503","Health")}}},
 "/metrics":{"get":{"summary":"Prometheus 指标","security":[],"responses":{"200":{"description":"Prometheus text","content":{"text/plain":{"schema":s("string")}}}}}},
 "/accounts":{"post":op("考生注册（证件号码为登录名，一人一个账号）","201","CandidateAccount",req="SignUp",security=None,tags=["accounts"])},
 "/session":{"post":op("登录（换发新的会话）","200","SignedIn",req="Login",security=None,tags=["accounts"],extra={"200":resp("200","SignedIn",headers=setcookie)}),
             "delete":op("退出登录","204",tags=["accounts"])},
 "/me":{"get":op("本人账号","200","SignedIn",tags=["accounts"])},
 "/candidates/{id}":{"get":op("考生记录（只能看本人的）","200","SignedIn",tags=["accounts"],params=idp)},
 "/password-reset/code":{"post":op("发送重设密码验证码到注册手机","202","Message",req="ResetCodeRequest",security=None,tags=["accounts"])},
 "/password-reset":{"post":op("用验证码重设密码","204",req="PasswordReset",security=None,tags=["accounts"])},
 "/me/password":{"post":op("修改密码（须输入当前密码）","204",req="PasswordChange",tags=["accounts"])},
 "/me/phone":{"post":op("修改手机号码（须输入当前密码）","200","CandidateAccount",req="PhoneChange",tags=["accounts"])},
 "/exam-year":{"get":op("本年度报名安排、费用和代码表","200","PublicExamYear",security=None,tags=["registration"])},
 "/pledge":{"get":op("诚信考试承诺书","200","Pledge",security=None,tags=["registration"])},
 "/registration":{"get":op("本人报名信息（草稿或已提交）","200","SavedRegistration",tags=["registration"]),
                  "put":op("保存草稿（可不完整）","200","SavedRegistration",req="RegistrationForm",tags=["registration"])},
 "/registration/submit":{"post":op("提交报名信息（全部校验）","200","Submitted",req="RegistrationForm",tags=["registration"])},
 "/registration/pledge":{"post":op("签署诚信考试承诺书","204",req="PledgeSignature",tags=["registration"])},
 "/registration/status":{"get":op("报名状态、尚缺内容和下一步","200","StatusView",tags=["registration"])},
 "/confirmation-points":{"get":op("本市可选的报名确认点","200","ConfirmationPoint",array=True,tags=["registration"])},
 "/appointment-slots":{"get":op("所选确认点可预约的时段","200","AppointmentSlot",array=True,tags=["registration"])},
 "/appointment":{"get":op("本人的现场确认预约","200","AppointmentSlot",tags=["registration"]),
                 "post":op("预约或改约现场确认时段（已约满则拒绝）","200","AppointmentSlot",req="Booking",tags=["registration"])},
 "/payment/orders":{"post":op("发起缴费（已现场确认的考生；返回支付地址）","201","PaymentOrder",req="PaymentOrderRequest",tags=["payment"])},
 "/payment/orders/current":{"get":op("本人最近的缴费订单","200","PaymentOrder",tags=["payment"])},
 "/staff/candidates/{id}":{"get":op("工作人员查看考生记录（本辖区，留痕）","200","CandidateAccount",security="staff",params=idp,tags=["staff"])},
 "/staff/candidates/lookup":{"post":op("工作人员按证件号码查找考生（本辖区，留痕）","200","CandidateAccount",req="DocumentLookup",security="staff",tags=["staff"])},
 "/staff/candidates/{id}/phone":{"put":op("工作人员更正考生手机号码（留痕）","200","CandidateAccount",req="PhoneCorrection",security="staff",params=idp,tags=["staff"])},
 "/staff/exam-years/{year}":{"put":op("省级设置年度报名安排（成为当前年度）","200","ExamYearDocument",req="ExamYearDocument",security="staff",params=yearp,tags=["staff"])},
 "/staff/exam-years/{year}/catalogue":{"put":op("省级导入招生计划（CSV，全部或全不）","200","CatalogueImported",req="csv",security="staff",params=yearp,tags=["staff"])},
}
doc={"openapi":"3.1.0","info":{"title":"成人高考网上报名系统 · 报名服务 (Registration)","version":"1.0.0",
  "description":"Behind the gateway at /api/registration. Errors: {\"error\":{\"code\",\"message\",\"fields\":[{\"field\",\"code\",\"message\"}]}}. State-changing requests with a session must send the session's CSRF token in X-CSRF-Token; requests from pages of other origins are refused."},
 "servers":[{"url":"/api/registration"}],
 "paths":paths,
 "components":{"schemas":schemas,"securitySchemes":{
   "candidateSession":{"type":"apiKey","in":"cookie","name":"exam_candidate_session"},
   "staffSession":{"type":"apiKey","in":"cookie","name":"exam_staff_session"},
   "csrfToken":{"type":"apiKey","in":"header","name":"X-CSRF-Token"}}}}
print(json.dumps(doc, ensure_ascii=False, indent=2))
