# What every service's OpenAPI document shares: schema helpers, the error body, operations, the
# security schemes, and how a document is written. Each ops/openapi/<service>.py prints one
# document; OpenAPITests checks each against the routes its service really adds and its real answers.
import json

def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def s(t, **kw): d={"type": t}; d.update(kw); return d
def nstr(maxLength=None, **kw):
    d={"type":["string","null"]}
    if maxLength: d["maxLength"]=maxLength
    d.update(kw); return d
def nint(**kw): d={"type":["integer","null"]}; d.update(kw); return d
def obj(props, required=(), additional=None):
    d={"type":"object","properties":props}
    if required: d["required"]=list(required)
    if additional is not None: d["additionalProperties"]=additional
    return d

levels=["high_school_to_bachelor","high_school_to_associate","associate_to_bachelor"]
forms=["part_time","correspondence","full_time"]
docTypes=["resident_id","hmt_permit","overseas_chinese_passport","foreigner_residence_permit"]
staffRoles=["province_admin","city_officer","county_officer","point_operator","auditor"]

common_schemas={
 "FieldError": obj({"field":s("string"),"code":s("string"),"message":s("string")},["field","code","message"]),
 "Error": obj({"error": obj({"code":s("string"),"message":s("string"),"fields":s("array",items=ref("FieldError"))},["code","message"])},["error"]),
 "Health": obj({"service":s("string"),"status":s("string"),"failed":s("array",items=s("string")),"checks":s("object",additionalProperties=s("string"))},["service","status","failed","checks"]),
 "DocumentLookup": obj({"documentType":s("string",enum=docTypes),"documentNumber":s("string")},["documentNumber"]),
}

def body(name, ctype="application/json"):
    return {"required":True,"content":{ctype:{"schema":ref(name) if name else s("string")}}}
def raw_body(*ctypes):
    return {"required":True,"content":{c:{"schema":s("string",format="binary")} for c in ctypes}}
def resp(code, name=None, desc="", array=False, headers=None, ctype=None):
    r={"description":desc or code}
    if name: r["content"]={"application/json":{"schema":s("array",items=ref(name)) if array else ref(name)}}
    if ctype: r["content"]={ctype:{"schema":s("string",format="binary") if ctype.startswith("image/") else s("string")}}
    if headers: r["headers"]=headers
    return r
errors={"4XX":resp("4XX","Error","请求有误、未登录、无权限、冲突或过于频繁（429，带 Retry-After）"),
        "503":resp("503","Error","会话或限流服务暂不可用（不放行），或登录注册人数过多（busy，按 Retry-After 重试）")}

def op(summary, ok, okname=None, req=None, array=False, security="candidate", tags=None, params=None, extra=None, reqbody=None, okctype=None):
    o={"summary":summary,"responses":{ok:resp(ok,okname,array=array,ctype=okctype),**errors}}
    if extra: o["responses"].update(extra)
    if reqbody: o["requestBody"]=reqbody
    elif req: o["requestBody"]=body(req) if req!="csv" else {"required":True,"content":{"text/csv":{"schema":s("string")}}}
    if security=="candidate": o["security"]=[{"candidateSession":[],"csrfToken":[]}]
    elif security=="staff": o["security"]=[{"staffSession":[],"csrfToken":[]}]
    else: o["security"]=[]
    if params: o["parameters"]=params
    if tags: o["tags"]=tags
    return o

def path_param(name, schema): return {"name":name,"in":"path","required":True,"schema":schema}
def query_param(name, schema, required=False, description=None):
    p={"name":name,"in":"query","required":required,"schema":schema}
    if description: p["description"]=description
    return p
idp=[path_param("id", s("integer",minimum=1))]

# Every service answers these the same way (Shared/ServiceRuntime).
health_paths={
 "/health":{"get":{**op("服务健康状况","200","Health",security=None),"responses":{"200":resp("200","Health"),"503":resp("503","Health")}}},
 "/health/live":{"get":{"summary":"进程存活（不检查依赖）","security":[],"responses":{"204":{"description":"alive"}}}},
 "/metrics":{"get":{"summary":"Prometheus 指标","security":[],"responses":{"200":{"description":"Prometheus text","content":{"text/plain":{"schema":s("string")}}}}}},
}

STAFF_SESSION_NOTE=("Staff sign in once at /api/review/staff/session (the Review service) and use that session's cookie "
                    "(exam_staff_session) and CSRF token on every service's /staff routes.")

def document(title, prefix, description, paths, schemas):
    return {"openapi":"3.1.0","info":{"title":f"成人高考网上报名系统 · {title}","version":"1.0.0",
      "description":(f"Behind the gateway at {prefix}. Errors: {{\"error\":{{\"code\",\"message\",\"fields\":[{{\"field\",\"code\",\"message\"}}]}}}}. "
                     "State-changing requests with a session must send the session's CSRF token in X-CSRF-Token; requests from pages of other "
                     "origins are refused. " + STAFF_SESSION_NOTE + (" " + description if description else ""))},
     "servers":[{"url":prefix}],
     "paths":{**health_paths, **paths},
     "components":{"schemas":{**common_schemas, **schemas},"securitySchemes":{
       "candidateSession":{"type":"apiKey","in":"cookie","name":"exam_candidate_session"},
       "staffSession":{"type":"apiKey","in":"cookie","name":"exam_staff_session"},
       "csrfToken":{"type":"apiKey","in":"header","name":"X-CSRF-Token"}}}}

def emit(doc): print(json.dumps(doc, ensure_ascii=False, indent=2))
