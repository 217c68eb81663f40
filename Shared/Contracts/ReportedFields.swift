/// The candidate data a data report (数据上报) certifies, field by field, in the order of a
/// report's digests. Registration writes the digests of `basic` (`registration.basic_digests`,
/// in this order) with every save of a form; Review snapshots all of them.
public enum ReportedFields {
    /// The basic-information fields of the registration form (`BasicInformation`'s keys).
    public static let basic = [
        "gender", "ethnicGroup", "birthDate", "politicalStatus", "educationLevel", "foreignLanguage", "candidateCharacteristic",
        "enrolmentCategory", "graduationDate", "graduatedFrom", "diplomaNumber", "medicalCertificateNumber", "occupationCategory",
        "workStartDate", "phone", "postalAddress", "postcode", "householdCity", "remarks",
    ]

    /// Every field of a report: the account's name and ID document, the form's basic
    /// information, the choices and point, the photo, the counted bonus, the exemption, the status.
    public static let all = ["name", "document"] + basic + ["choices", "confirmationPoint", "photo", "bonus", "exemption", "status"]

    /// As staff read them.
    public static let labels: [String: String] = [
        "name": "姓名", "document": "证件号码", "gender": "性别", "ethnicGroup": "民族", "birthDate": "出生日期", "politicalStatus": "政治面貌",
        "educationLevel": "文化程度", "foreignLanguage": "外语语种", "candidateCharacteristic": "考生特征", "enrolmentCategory": "招生类别",
        "graduationDate": "毕业日期", "graduatedFrom": "毕业学校", "diplomaNumber": "毕业证书编号", "medicalCertificateNumber": "医学类执业资格证书编号",
        "occupationCategory": "职业类别", "workStartDate": "工作日期", "phone": "联系电话", "postalAddress": "通讯地址", "postcode": "邮政编码",
        "householdCity": "户籍所在地", "remarks": "备注", "choices": "志愿信息", "confirmationPoint": "报名确认点", "photo": "相片",
        "bonus": "照顾加分", "exemption": "免试入学", "status": "报名状态",
    ]
}
