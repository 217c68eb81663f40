# Writes Services/DocumentGeneration/openapi.json: python3 ops/openapi/documents.py > Services/DocumentGeneration/openapi.json
# (OpenAPITests checks the result against the routes the service really adds and its real answers.)
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *

uuidp=[path_param("id", s("string",format="uuid"))]
tag=lambda t: [t]
kinds=["registration_flow_form","admission_ticket","site_summary","door_sheet","seat_labels","sign_in_sheet","registration_record"]
num=s("number")
element=obj({"type":s("string",enum=["text","box","line","image","qr","repeat"]),
    "text":s("string",description="text: a template, {name} being a value"),"x":num,"y":num,"width":num,"height":num,
    "size":s("number",description="text: points; text that does not fit is drawn smaller"),"bold":s("boolean"),"align":s("string",enum=["left","center","right"]),
    "valign":s("string",enum=["top","middle","bottom"]),"wrap":s("boolean"),"line":s("number"),"fill":s("number",minimum=0,maximum=1),
    "x1":num,"y1":num,"x2":num,"y2":num,"dashed":s("boolean"),"image":s("string"),"missing":s("string"),"value":s("string"),
    "list":s("string"),"columns":s("integer",minimum=1),"rows":s("integer",minimum=1),"cellWidth":num,"cellHeight":num,
    "elements":s("array",items={"type":"object"},description="repeat: the elements of one cell, positioned within it")},["type"])

schemas={
 "PDF": s("string",format="binary"),
 "Layout": obj({"page":obj({"width":s("number",minimum=50,maximum=1200),"height":s("number",minimum=50,maximum=1200)},["width","height"]),
    "font":s("string",description="fontconfig family, e.g. Noto Sans CJK SC"),"elements":s("array",items=element)},["page","font","elements"]),
 "DescribedLayout": obj({"kind":s("string",enum=kinds),"year":s("integer"),"source":s("string",enum=["year","bundled"]),"layout":ref("Layout"),
    "values":s("array",items=s("string")),"lists":{"type":"object","additionalProperties":s("array",items=s("string"))},"images":s("array",items=s("string"))},
    ["kind","year","source","layout","values","lists","images"]),
 "SitePack": obj({"id":s("string",format="uuid"),"siteID":s("string"),"rooms":s("integer"),"roomsMade":s("integer"),
    "status":s("string",enum=["queued","drawing","done"]),"requestedAt":s("string",format="date-time")},["id","siteID","rooms","roomsMade","status","requestedAt"]),
 "TicketCode": obj({"year":s("integer"),"ticket":s("string"),"candidateNumber":s("string"),"site":s("string"),"room":s("string"),"seat":s("string"),
    "nameDigest":s("string",description="base64url of the first 9 bytes of SHA-256(name|candidateNumber)")},
    ["year","ticket","candidateNumber","site","room","seat","nameDigest"]),
 "Verdict": obj({"valid":s("boolean"),"reason":nstr(description="malformed, unknown_key, bad_signature or superseded"),
    "code":{"anyOf":[{"type":"null"},ref("TicketCode")]}},["valid"]),
 "PublicKeys": obj({"keys":s("array",items=obj({"keyID":s("string"),"algorithm":s("string",enum=["Ed25519"]),"publicKey":s("string",description="32 bytes, base64")},
    ["keyID","algorithm","publicKey"])),"format":s("string")},["keys","format"]),
 "TicketProgress": obj({"runID":s("string",format="uuid"),"tickets":s("integer"),"made":s("integer"),"percent":s("integer",minimum=0,maximum=100)},
    ["runID","tickets","made","percent"]),
 "ImportReport": obj({"imported":s("integer"),"refused":s("integer"),"rows":s("array",items=obj({"line":s("integer"),"candidateNumber":s("string"),
    "outcome":s("string",enum=["imported","refused"]),"code":nstr(),"message":nstr()},["line","candidateNumber","outcome"]))},["imported","refused","rows"]),
 "GlyphProblems": obj({"problems":s("array",items=obj({"kind":s("string"),"subject":s("string"),"version":s("integer"),"candidateID":nint(),
    "field":s("string"),"characters":s("string"),"notedAt":s("string",format="date-time")},["kind","subject","version","field","characters","notedAt"]))},["problems"]),
}

def pdf(summary, params=None, security="staff", tags=None):
    return op(summary,"200","PDF",security=security,params=params,tags=tags,okctype="application/pdf")

paths={
 "/admission-ticket.pdf":{"get":pdf("考生下载本人准考证（发布后）",security="candidate",tags=tag("admission tickets"))},
 "/staff/candidates/{id}/admission-ticket.pdf":{"get":pdf("确认点为本点考生打印准考证（留痕）",idp,tags=tag("admission tickets"))},
 "/staff/admission-tickets/progress":{"get":op("省级查看全省准考证生成进度","200","TicketProgress",security="staff",tags=tag("admission tickets"))},
 "/flow-form.pdf":{"get":pdf("考生下载本人的报名流程表（确认点现场确认时生成的最新一份）",security="candidate",tags=tag("flow forms"))},
 "/staff/document-requests/{id}/pdf":{"get":pdf("打印报名流程表（确认点请求的；尚未生成则即时生成）",uuidp,tags=tag("flow forms"))},
 "/staff/exam-sites/{id}/pack":{"post":{**op("县市区生成考点材料（门贴、桌贴、签到表、汇总），排队由各后台进程分担","202","SitePack",security="staff",
    params=[path_param("id", s("string",maxLength=40))],tags=tag("site packs"),extra={"200":resp("200","SitePack")})}},
 "/staff/site-packs/{id}":{"get":op("考点材料的进度","200","SitePack",security="staff",params=uuidp,tags=tag("site packs"))},
 "/staff/site-packs/{id}/file":{"get":op("下载考点材料（ZIP：汇总和每个考场的 PDF）","200","PDF",security="staff",params=uuidp,tags=tag("site packs"),okctype="application/zip")},
 "/verify/keys":{"get":op("准考证二维码的验签公钥（离线核验用）","200","PublicKeys",security=None,tags=tag("verification"))},
 "/verify/{code}":{"get":op("在线核验准考证二维码：有效，或无效的原因","200","Verdict",security=None,params=[path_param("code", s("string",maxLength=400))],
    tags=tag("verification"))},
 "/staff/exam-results/scores":{"post":op("省级导入成绩（CSV 或 XLSX：考生号、各科目列、可选总分；档案分 = 总分 + 照顾加分），逐行报告","200","ImportReport",
    security="staff",tags=tag("exam results"),reqbody=raw_body("text/csv","application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))},
 "/staff/exam-results/admissions":{"post":op("省级导入录取信息（考生号、院校代码、院校名称、专业代码、专业名称、可选诚信记录），逐行报告","200","ImportReport",
    security="staff",tags=tag("exam results"),reqbody=raw_body("text/csv","application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))},
 "/staff/registration-records/{institution}":{"get":pdf("省级打印某院校录取考生的考生登记表（每人一页）",[path_param("institution", s("string",maxLength=10))],
    tags=tag("exam results"))},
 "/staff/document-problems":{"get":op("文件中字体缺字的情况（本辖区考生）","200","GlyphProblems",security="staff",tags=tag("problems"))},
 "/staff/document-layouts/{kind}":{
    "get":op("本年度某类页面的版式（及可用字段）","200","DescribedLayout",security="staff",params=[path_param("kind", s("string",enum=kinds))],tags=tag("layouts")),
    "put":op("省级替换本年度某类页面的版式（先用示例数据试排）","200","DescribedLayout",req="Layout",security="staff",params=[path_param("kind", s("string",enum=kinds))],
        tags=tag("layouts"))},
}
emit(document("考试文件 (DocumentGeneration)", "/api/documents", "", paths, schemas))
