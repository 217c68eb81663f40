# Writes Services/PaymentCallback/openapi.json: python3 ops/openapi/payment.py > Services/PaymentCallback/openapi.json
# (OpenAPITests checks the result against the routes the service really adds and its real answers.)
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *

schemas={
 "Mismatch": obj({"kind":s("string"),"tradeNo":s("string"),"orderNo":nstr(),"amountHereFen":nint(),"amountThereFen":nint()},["kind","tradeNo"]),
 "Reconciliation": obj({"id":s("integer"),"provider":s("string",enum=["alipay","wechat"]),"day":s("string"),"statementLines":s("integer"),
    "mismatches":s("array",items=ref("Mismatch"))},["id","provider","day","statementLines","mismatches"]),
 "UnpaidCandidate": obj({"candidateID":s("integer"),"name":s("string"),"documentNumber":s("string",description="masked"),"candidateNumber":s("string"),
    "reason":nstr()},["candidateID","name","documentNumber","candidateNumber"]),
 "PointSummary": obj({"pointID":s("string"),"pointName":s("string"),"unpaid":s("integer"),"withReason":s("integer")},["pointID","pointName","unpaid","withReason"]),
 "UnpaidListing": obj({"candidates":s("array",items=ref("UnpaidCandidate"),description="a point's operators only"),"points":s("array",items=ref("PointSummary"))},["points"]),
 "UnpaidReason": obj({"reason":s("string",maxLength=200)},["reason"]),
 "UnpaidReasonRecorded": obj({"candidateID":s("integer"),"reason":s("string")},["candidateID","reason"]),
 "PaymentOrderRequest": obj({"provider":s("string",enum=["alipay","wechat"])},["provider"]),
 "PaymentOrder": obj({"orderNo":s("string"),"provider":s("string",enum=["alipay","wechat"]),"amountFen":s("integer"),
    "status":s("string",enum=["open","paid","expired","closed","refund_due"]),"expiresAt":s("string",format="date-time"),"payURL":s("string")},
    ["orderNo","provider","amountFen","status","expiresAt","payURL"]),
 "WeChatAnswer": obj({"code":s("string"),"message":s("string")},["code","message"]),
}
callback="Provider notifications are verified over the raw bytes; the gateway routes them at /callbacks/payment/ (alipay, wechat)."
paths={
 "/orders":{"post":op("发起缴费（已现场确认的考生，缴费截止前；返回支付地址）","201","PaymentOrder",req="PaymentOrderRequest",tags=["orders"])},
 "/orders/current":{"get":op("本人最近的缴费订单","200","PaymentOrder",tags=["orders"])},
 "/callbacks/alipay":{"post":{"summary":"支付宝异步通知（RSA2 验签，先入库后应答 success）","security":[],"tags":["callbacks"],
    "requestBody":{"required":True,"content":{"application/x-www-form-urlencoded":{"schema":s("string")}}},
    "responses":{"200":{"description":"stored (or a repeat): the text success","content":{"text/plain":{"schema":s("string",enum=["success"])}}},
                 "4XX":{"description":"refused: the text fail (or the JSON error body for a body over the limit)",
                        "content":{"text/plain":{"schema":s("string")},"application/json":{"schema":ref("Error")}}},
                 "503":resp("503","Error","not stored: the provider sends it again")}}},
 "/callbacks/wechat":{"post":{"summary":"微信支付 APIv3 通知（验签、解密，先入库后应答 200）","security":[],"tags":["callbacks"],
    "parameters":[{"name":n,"in":"header","required":True,"schema":s("string")} for n in ["Wechatpay-Serial","Wechatpay-Signature","Wechatpay-Timestamp","Wechatpay-Nonce"]],
    "requestBody":{"required":True,"content":{"application/json":{"schema":s("object")}}},
    "responses":{"200":{"description":"stored (or a repeat)"},"4XX":resp("4XX","WeChatAnswer","refused"),"5XX":resp("5XX","WeChatAnswer","not stored")}}},
 "/staff/payments/reconciliations":{"post":op("省级上传支付渠道的日对账单（CSV），列出每一处不符，不作更正","201","Reconciliation",req="csv",security="staff",tags=["reconciliation"],
    params=[query_param("provider", s("string",enum=["alipay","wechat"]), required=True),query_param("day", s("string"), required=True, description="YYYY-MM-DD")])},
 "/staff/payments/reconciliations/{id}":{"get":op("一次对账的结果","200","Reconciliation",security="staff",params=idp,tags=["reconciliation"])},
 "/staff/unpaid-candidates":{"get":op("已确认未缴费的考生（确认点：名单；县、市：各点数量）","200","UnpaidListing",security="staff",tags=["unpaid"])},
 "/staff/unpaid-candidates/{id}/reason":{"put":op("确认点记录考生未缴费的原因","200","UnpaidReasonRecorded",req="UnpaidReason",security="staff",params=idp,tags=["unpaid"])},
}
emit(document("缴费服务 (PaymentCallback)", "/api/payment", callback, paths, schemas))
