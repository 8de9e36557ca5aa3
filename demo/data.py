"""The invented city the demo builds: its offices, accounts, workers, counterparties and
stations, and every case as one record: who came in, where and when, and its story.

A record names its office, who recorded it, the worker(s) and how they came in (`DESK`,
`HOTLINE`, a station's key, or for aid `"dispute"`: after that worker's finished wage
dispute, where it came in). `ago` is the day it was received, counted back from today,
`at` the time of day. Its `story` is the steps it has gone through, in order; the day in
a step counts from the day it was received. `demo.builder` takes each step through the
service a user's click would (`Builder.step_<verb>`):

    take WHO [REASSIGN_TO NOTE]   taken from the queue (a supervisor then reassigns it)
    contact DAY [BY WITH WHAT]    a contact (without the rest: the first call to the
                                  applicant); note TEXT; claim DAY NOTE (a written claim, R5)
    accept, investigate           the employer then answers the checklist (`EVIDENCE_ANSWERS`)
    mediate, session DAY RESULT   mediation starts; a session is held
    agree DAY DAYS RESULT         the agreement signed, to be performed within DAYS (the
                                  record's `agreed`, or what was claimed, and `method`)
    pay DAY WORKER AMOUNT HOW [VOIDED BECAUSE]
    performed, fail, refer DAY FORUM BODY, close DAY NOTE, shortfall DAY REASON (closed
                                  by the office's supervisor), decline/withdraw DAY REASON
    visit DAY HOUSEHOLD VISITORS FINDINGS   (household: size, income, rigid, one-off costs)
    recommend DAY TYPE AMOUNT CATEGORY REASON [WHY THE CATEGORY DIFFERS]
    approve DAY WHO [COMMENT], return_for_revision/reject DAY WHO REASON
    disburse DAY AMOUNT MEANS RECEIPT; verify DAY NOTES; issue DAY SERIAL; add MEMBER
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.cn import ric, uscc

from assistance.models import AidType, Category, FamilyMember
from cases.models import (
    Channel,
    Contact,
    Counterparty,
    Forum,
    Occupation,
    Payment,
    Relationship,
    Residence,
)
from casework import roles
from casework.models import ServiceTally, Station

DEFAULT_PASSWORD = "casework-demo"
PASSWORD_VARIABLE = "DEMO_PASSWORD"

# --- offices, districts and the demo accounts ------------------------------------------

# key: (name, short name, parent key)
OFFICES = {
    "city": ("随州市总工会", "市总", None),
    "zengdu": ("曾都区总工会", "曾都区", "city"),
    "suixian": ("随县总工会", "随县", "city"),
    "guangshui": ("广水市总工会", "广水市", "city"),
}
DISTRICTS = ["曾都区", "随县", "广水市", "随州高新区"]

# username: (full name, role or None for the administrator, office key)
ACCOUNTS = {
    "caseworker": ("陈晓燕", roles.CASEWORKER, "zengdu"),
    "caseworker2": ("刘志强", roles.CASEWORKER, "zengdu"),
    "caseworker3": ("黄丽娟", roles.CASEWORKER, "suixian"),
    "supervisor": ("王建华", roles.SUPERVISOR, "zengdu"),
    "supervisor2": ("李敏", roles.SUPERVISOR, "zengdu"),
    "citysupervisor": ("张国栋", roles.SUPERVISOR, "city"),
    "auditor": ("周慧", roles.AUDITOR, "city"),
    "admin": ("赵磊", None, "city"),
}
DEMO_USERNAMES = tuple(ACCOUNTS)

# Where mediation sessions are held, by office.
PLACES = {
    "city": "随州市总工会职工服务中心调解室",
    "zengdu": "曾都区总工会职工法律服务站调解室",
    "suixian": "随县总工会劳动争议调解室",
    "guangshui": "广水市总工会职工服务中心",
}

CONSENT = (
    "同意工会为办理本案收集、使用本人个人信息（含身份证号、联系方式、收入情况），"
    "仅用于调解、法律援助和帮扶工作。"
)

# --- workers --------------------------------------------------------------------------


@dataclass(frozen=True)
class W:
    name: str
    sex: str  # "M" or "F": the ID number's 17th digit is odd for men
    born: str  # YYYYMMDD
    region: str  # the ID number's place code: 421303 曾都区, 421321 随县, 421381 广水市
    occupation: str
    employer: str
    district: str
    residence: str = Residence.URBAN
    member: tuple[str, str] | None = None  # (membership number, date joined)


RIDER, COURIER, TRUCK, RIDE_HAILING, DOMESTIC, CARE, OTHER = (
    Occupation.RIDER,
    Occupation.COURIER,
    Occupation.TRUCK_DRIVER,
    Occupation.RIDE_HAILING_DRIVER,
    Occupation.DOMESTIC_WORKER,
    Occupation.CARE_WORKER,
    Occupation.OTHER,
)
RURAL = Residence.RURAL
URBAN = Residence.URBAN
# The city federation's mass joining ceremony (463 workers joined that day).
MASS_JOINING = "2025-07-18"
SHANDIAN_RIDER = "速达外卖·闪电骑士配送服务部"
FEICHI_RIDER = "速达外卖·飞驰配送站"

# fmt: off
WORKERS = {
    # food-delivery riders; r01-r10 act together in the collective case
    "r01": W("张伟", "M", "19900314", "421303", RIDER, SHANDIAN_RIDER, "曾都区", URBAN,
             ("4213202500463", MASS_JOINING)),
    "r02": W("李堃", "M", "19950722", "421321", RIDER, SHANDIAN_RIDER, "随县", RURAL),
    "r03": W("王浩然", "M", "20010209", "421303", RIDER, SHANDIAN_RIDER, "曾都区"),
    "r04": W("刘洋", "M", "19880917", "421381", RIDER, SHANDIAN_RIDER, "广水市", RURAL),
    "r05": W("陈俊杰", "M", "19971105", "421303", RIDER, SHANDIAN_RIDER, "随州高新区", URBAN,
             ("4213202500471", MASS_JOINING)),
    "r06": W("杨帆", "M", "19930426", "421303", RIDER, SHANDIAN_RIDER, "曾都区"),
    "r07": W("黄志勇", "M", "19850630", "421321", RIDER, SHANDIAN_RIDER, "随县", RURAL),
    "r08": W("周鹏", "M", "19991218", "421303", RIDER, SHANDIAN_RIDER, "曾都区"),
    "r09": W("吴昊", "M", "20020803", "421303", RIDER, SHANDIAN_RIDER, "随州高新区"),
    "r10": W("徐海涛", "M", "19870112", "421381", RIDER, SHANDIAN_RIDER, "广水市", RURAL),
    "r11": W("宋喆", "M", "19940528", "421303", RIDER, FEICHI_RIDER, "曾都区", URBAN,
             ("4213202400318", "2024-04-26")),
    "r12": W("孙亮", "M", "19920815", "421303", RIDER, SHANDIAN_RIDER, "随州高新区"),
    "r13": W("朱小龙", "M", "19981001", "421321", RIDER, FEICHI_RIDER, "随县", RURAL),
    "r14": W("胡斌", "M", "19910307", "421303", RIDER, FEICHI_RIDER, "曾都区"),
    "r15": W("郭凯", "M", "20030116", "421303", RIDER, FEICHI_RIDER, "曾都区"),
    "r16": W("何家乐", "M", "20000624", "421303", RIDER, FEICHI_RIDER, "随州高新区"),
    # couriers
    "c1": W("罗文斌", "M", "19890219", "421303", COURIER, "随州快捷物流有限公司", "曾都区", URBAN,
            ("4213202300094", "2023-09-15")),
    "c2": W("郑凯文", "M", "19960911", "421381", COURIER, "广水市通达速递服务部", "广水市"),
    "c3": W("梁振宇", "M", "19930704", "421321", COURIER, "随县安居快递服务部", "随县", RURAL),
    "c4": W("谢天宇", "M", "19970330", "421303", COURIER, "随州市曾都区顺心快递驿站", "曾都区"),
    "c5": W("韩冬", "M", "19860108", "421381", COURIER, "广水市通达速递服务部", "广水市", RURAL),
    "c6": W("邓玥", "F", "19980506", "421303", COURIER, "随州快捷物流有限公司", "曾都区"),
    # truck drivers
    "t1": W("唐建国", "M", "19720815", "421303", TRUCK, "随州市兴达汽车运输有限公司", "曾都区",
            RURAL, ("4213202400127", "2024-03-08")),
    "t2": W("冯志刚", "M", "19760403", "421381", TRUCK, "广水市鑫路物流有限公司", "广水市", RURAL,
            ("4213202500502", MASS_JOINING)),
    "t3": W("于海洋", "M", "19820927", "421303", TRUCK, "顺途同城货运（自有车辆）", "曾都区"),
    "t4": W("董明", "M", "19790611", "421321", TRUCK, "顺途同城货运（自有车辆）", "随县", RURAL),
    "t5": W("程鑫", "M", "19840213", "421321", TRUCK, "随州市兴达汽车运输有限公司", "随县", RURAL),
    "t6": W("曹阳", "M", "19811120", "421381", TRUCK, "广水市鑫路物流有限公司", "广水市"),
    # ride-hailing drivers
    "h1": W("袁野", "M", "19870722", "421303", RIDE_HAILING, "畅行出行·畅达汽车租赁", "曾都区",
            URBAN, ("4213202500488", MASS_JOINING)),
    "h2": W("魏堃", "M", "19900108", "421303", RIDE_HAILING, "畅行出行", "随州高新区"),
    "h3": W("许文博", "M", "19830509", "421303", RIDE_HAILING, "畅行出行", "曾都区"),
    "h4": W("傅晓东", "M", "19781226", "421303", RIDE_HAILING, "畅行出行·畅达汽车租赁", "曾都区"),
    "h5": W("丁燊", "M", "19920317", "421303", RIDE_HAILING, "畅行出行", "随州高新区"),
    # domestic workers
    "d1": W("沈桂兰", "F", "19690412", "421321", DOMESTIC, "随州安心家政服务有限公司", "曾都区",
            URBAN, ("4213202400266", "2024-05-17")),
    "d2": W("彭秀梅", "F", "19730825", "421321", DOMESTIC, "个人雇主（家庭）", "随县", RURAL),
    "d3": W("吕春燕", "F", "19750219", "421303", DOMESTIC, "随州安心家政服务有限公司", "曾都区"),
    "d4": W("卢淑珍", "F", "19680930", "421321", DOMESTIC, "随州安心家政服务有限公司", "随县",
            RURAL),
    "d5": W("蒋婷", "F", "19890614", "421303", DOMESTIC, "随州安心家政服务有限公司", "曾都区"),
    # care workers
    "k1": W("曾凡英", "F", "19710507", "421303", CARE, "随州市颐康护理服务有限公司", "曾都区",
            URBAN, ("4213202300155", "2023-11-03")),
    "k2": W("蔡文静", "F", "19770128", "421321", CARE, "随县康乐养老服务中心", "随县", RURAL,
            ("4213202500517", MASS_JOINING)),
    "k3": W("苏丽", "F", "19800803", "421381", CARE, "随州市恒信人力资源服务有限公司", "广水市"),
    "k4": W("贾明玥", "F", "19850919", "421303", CARE, "随州市颐康护理服务有限公司", "曾都区"),
    "k5": W("潘爱华", "F", "19740311", "421303", CARE, "随州市颐康护理服务有限公司", "曾都区"),
    # other new forms of work: a designated driver, live-streaming sellers
    "o1": W("田志军", "M", "19880405", "421321", OTHER, "安途代驾（代驾司机）", "随县", URBAN,
            ("4213202500530", MASS_JOINING)),
    "o2": W("付雨欣", "F", "20011012", "421321", OTHER, "优品电商服务部（直播带货）", "随县",
            RURAL),
    "o3": W("高翔", "M", "19950119", "421321", OTHER, "优品电商服务部（直播带货）", "随县", RURAL),
}
# fmt: on

# --- counterparties (invented) ----------------------------------------------------------


@dataclass(frozen=True)
class CP:
    name: str
    type: str
    code_prefix: str  # registration authority, entity type and place code; "" for none
    contact_person: str
    phone: str
    address: str


PLATFORM, STATION, DISPATCH, EMPLOYER, HOUSEHOLD = (
    Counterparty.Type.PLATFORM,
    Counterparty.Type.STATION,
    Counterparty.Type.DISPATCH,
    Counterparty.Type.EMPLOYER,
    Counterparty.Type.HOUSEHOLD,
)

# Credit code prefixes: 91 an enterprise, 92 an individual business, 52 a private
# non-enterprise unit; then the place code (420xxx Wuhan, 4213xx Suizhou).
# fmt: off
COUNTERPARTIES = {
    "suda": CP("速达外卖平台（武汉速达信息技术有限公司）", PLATFORM, "91420106", "钱立新",
               "027-87316520", "武汉市武昌区中北路166号速达大厦"),
    "feichi": CP("随州市曾都区飞驰配送站", STATION, "92421303", "杜建军",
                 "13872891306", "随州市曾都区烈山大道108号"),
    "shandian": CP("随州市曾都区闪电骑士配送服务部", STATION, "92421303", "严俊",
                   "15972450873", "随州市曾都区舜井大道32号"),
    "zhonglian": CP("湖北众联劳务派遣有限公司", DISPATCH, "91420102", "方芳",
                    "027-85562107", "武汉市江岸区建设大道725号"),
    "hengxin": CP("随州市恒信人力资源服务有限公司", DISPATCH, "91421303", "石海峰",
                  "0722-3286517", "随州市曾都区交通大道1208号"),
    "shuntu": CP("顺途同城货运平台（湖北顺途供应链科技有限公司）", PLATFORM, "91420111", "邹凯",
                 "027-59713380", "武汉市洪山区珞喻路889号"),
    "xingda": CP("随州市兴达汽车运输有限公司", EMPLOYER, "91421303", "邵永福",
                 "0722-3519826", "随州市曾都区季梁大道56号"),
    "xinlu": CP("广水市鑫路物流有限公司", EMPLOYER, "91421381", "秦德胜",
                "0722-6238174", "广水市应山街道永阳大道219号"),
    "kuaijie": CP("随州快捷物流有限公司", EMPLOYER, "91421303", "孟晓峰",
                  "0722-3871205", "随州市曾都区解放路77号"),
    "tongda": CP("广水市通达速递服务部", STATION, "92421381", "夏志华",
                 "13997861024", "广水市广水街道中华路45号"),
    "anju": CP("随县安居快递服务部", STATION, "92421321", "任光明",
               "18972316658", "随县厉山镇神农大道12号"),
    "shunxin": CP("随州市曾都区顺心快递驿站", STATION, "92421303", "陆小波",
                  "15307223964", "随州市曾都区青年路6号"),
    "changxing": CP("畅行出行（湖北畅行网约车科技有限公司）", PLATFORM, "91420103", "姚静",
                    "027-82619935", "武汉市江汉区新华路218号"),
    "changda": CP("随州市畅达汽车租赁有限公司", EMPLOYER, "91421303", "江涛",
                  "0722-3302718", "随州市曾都区汉东路258号"),
    "anxin": CP("随州安心家政服务有限公司", EMPLOYER, "91421303", "崔美华",
                "0722-3655109", "随州市曾都区沿河大道88号"),
    "yikang": CP("随州市颐康护理服务有限公司", EMPLOYER, "91421303", "叶红",
                 "0722-3418620", "随州市曾都区文帝大道99号"),
    "kangle": CP("随县康乐养老服务中心", EMPLOYER, "52421321", "向德明",
                 "0722-4112369", "随县厉山镇炎帝大道3号"),
    "antu": CP("安途代驾平台（湖北安途信息科技有限公司）", PLATFORM, "91420100", "薛文",
               "027-86752231", "武汉市东湖新技术开发区光谷大道77号"),
    "youpin": CP("随县漳潭镇优品电商服务部", EMPLOYER, "92421321", "黎春花",
                  "13451017782", "随县漳潭镇漳潭街28号"),
    "liu_household": CP("刘某（雇主家庭，随县厉山镇）", HOUSEHOLD, "", "刘某",
                        "13098276451", "随县厉山镇"),
}
# fmt: on

# --- the cases ------------------------------------------------------------------------------

BANK, WECHAT, ALIPAY, CASH = (
    Payment.Method.BANK,
    Payment.Method.WECHAT,
    Payment.Method.ALIPAY,
    Payment.Method.CASH,
)
CALL, VISIT, MESSAGE = Contact.Channel.CALL, Contact.Channel.VISIT, Contact.Channel.MESSAGE
LABOUR, NOT_FULLY, CIVIL = Relationship.LABOUR, Relationship.NOT_FULLY, Relationship.CIVIL
DESK, HOTLINE = Channel.DESK, Channel.HOTLINE
ARBITRATION, COURT = Forum.ARBITRATION, Forum.COURT
MEDICAL, EDUCATION, CASH_AID = AidType.MEDICAL, AidType.EDUCATION, AidType.CASH
DEEP, RELATIVE, ACCIDENT = Category.DEEP, Category.RELATIVE, Category.ACCIDENT
SPOUSE, CHILD, PARENT = (
    FamilyMember.Relation.SPOUSE,
    FamilyMember.Relation.CHILD,
    FamilyMember.Relation.PARENT,
)


@dataclass
class Dispute:
    office: str
    by: str  # who recorded the application
    claims: list[tuple[str, str]]  # (worker key, amount claimed)
    against: list[str]  # counterparty keys in chain order; each plays its own type
    relationship: str
    came_in: str
    ago: int
    at: str
    matters: str
    reasons: str
    story: list = field(default_factory=list)
    worked: tuple[int, int | None] | None = None  # days from receiving (None: still there)
    unpaid: tuple[int, int] | None = None
    priority: str = "normal"
    items: dict = field(default_factory=dict)  # worker: [(type, amount, what)] (R7)
    agreed: dict[str, str] = field(default_factory=dict)  # default: what was claimed
    method: str = "银行转账至申请人本人账户"  # how the agreement is performed
    attendees: str = ""  # of the sessions (default: the parties and the mediator)


@dataclass
class Aid:
    office: str
    by: str
    worker: str
    came_in: str
    ago: int
    at: str
    circumstances: str  # "{dispute}": the number of the dispute it follows
    story: list = field(default_factory=list)


@dataclass
class Card:
    office: str
    by: str
    worker: str  # a union member
    came_in: str
    ago: int
    at: str
    # (name, relation, born YYYYMMDD, ID place code, sex, guardian consenting or "")
    family: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    story: list = field(default_factory=list)


# The collective case (DOMAIN.md R9): ten riders against the station that closed.
COLLECTIVE = [
    ("r01", "7850.00"), ("r02", "6420.00"), ("r03", "9130.00"), ("r04", "5260.00"),
    ("r05", "8740.00"), ("r06", "6980.00"), ("r07", "7310.00"), ("r08", "5890.00"),
    ("r09", "8160.00"), ("r10", "6540.00"),
]  # fmt: skip

# fmt: off
DISPUTES = [
    Dispute(
        "zengdu", "caseworker", [("t1", "31200.00")], ["xingda"], LABOUR, DESK,
        ago=158, at="09:30", worked=(-820, -12), unpaid=(-135, -12),
        matters="追索拖欠的运费提成及出车补助共计31,200元",
        reasons="申请人受雇于随州市兴达汽车运输有限公司驾驶重型半挂车，按趟计发运费提成。公司以回"
        "款困难为由，连续4个月未结算提成和出车补助。申请人已于上月离职，多次催要未果。",
        items={"t1": [("wages", "26400.00", "4个月运费提成"),
                    ("wages", "4800.00", "出车及押车补助")]},
        agreed={"t1": "28563.50"},
        story=[
            ("take", "caseworker"),
            ("contact", 1, CALL, "兴达运输公司财务 孟会计", "核对申请人出车记录和提成台账。公"
             "司承认欠付，但对押车补助天数有异议。"),
            ("contact", 6, VISIT, "兴达运输公司负责人 邵永福", "到公司走访，调取派车单和GPS轨"
             "迹记录。公司同意参加调解。"),
            ("note", "申请人提供派车单照片46张、微信聊天记录和运单截图，已整理成证据目录。"),
            "accept", "investigate", "mediate",
            ("session", 9, "双方对提成金额无争议；押车补助按实际天数核减2,636.50元。公司同意"
             "分两期支付28,563.50元。"),
            ("agree", 10, 30, "随州市兴达汽车运输有限公司向申请人唐建国支付拖欠的运费提成及出"
             "车补助共计人民币28,563.50元，分两期支付：协议签订后15日内支付15,000元，余款13,563"
             ".50元于30日内付清。双方再无其他劳动报酬争议。"),
            ("pay", 20, "t1", "15000.00", BANK),
            ("pay", 38, "t1", "13563.50", BANK),
            "performed",
            ("close", 40, "协议已全部履行，申请人确认收到全部款项。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r11", "10436.50")],
        ["suda", "feichi", "zhonglian"], NOT_FULLY, "nanguan",
        ago=34, at="15:10", worked=(-400, -9), unpaid=(-98, -9),
        matters="追索欠付的3个月配送费，要求退还装备押金",
        reasons="申请人经湖北众联劳务派遣有限公司安排，在飞驰配送站从事速达外卖配送。站点以“考核未"
        "达标”为由连续3个月未足额结算配送费，离站时装备押金600元也未退还。",
        items={"r11": [("wages", "9836.50", "3个月配送费差额"),
                     ("other", "600.00", "装备押金")]},
        agreed={"r11": "9836.50"},
        method="微信转账至申请人本人账户",
        story=[
            ("take", "caseworker"),
            ("contact", 0, VISIT, "申请人宋喆", "在汉东路工会驿站接待申请人，登记申请，指导其"
             "导出骑手App收入明细。"),
            ("contact", 2, CALL, "飞驰配送站负责人 杜建军", "告知工会已受理调解申请，对方同意"
             "提供结算明细。"),
            ("note", "款项已一次性付清，待申请人来站签字确认后结案。"),
            "accept", "investigate", "mediate",
            ("session", 8, "站点负责人认可欠付事实，主张扣除超时罚款600元，申请人认可；平台区"
             "域经理到场，表示将督促站点结算。"),
            ("agree", 12, 7, "飞驰配送站向申请人宋喆支付欠付配送费9,236.50元并退还装备押金600"
             "元，合计人民币9,836.50元，于协议签订后7日内一次性付清；速达外卖平台督促站点履行。"),
            ("pay", 19, "r11", "9836.50", WECHAT),
            "performed",
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("c1", "16800.00")], ["kuaijie"], LABOUR, DESK,
        ago=97, at="10:05", worked=(-1100, None), unpaid=(-70, -10),
        matters="追索拖欠的2个月工资及派件提成，要求退还无依据扣除的罚款",
        reasons="申请人在随州快捷物流有限公司从事快递收派工作，月工资由底薪加派件提成构成。公司经"
        "营困难，拖欠2个月工资，另以客户投诉为由扣款1,800元，无任何书面依据。",
        items={"c1": [("wages", "15000.00", "2个月工资及派件提成"),
                    ("wages", "1800.00", "无依据扣除的罚款")]},
        agreed={"c1": "15000.00"},
        story=[
            ("take", "caseworker"),
            ("contact", 1, CALL, "随州快捷物流有限公司 孟晓峰", "公司承认欠薪，称资金周转困难，"
             "希望分期支付。"),
            ("contact", 30, MESSAGE, "申请人罗文斌", "短信提醒申请人第一期款项已到账，"
             "请核对金额。"),
            "accept", "investigate", "mediate",
            ("session", 7, "公司承认欠薪，请求分期；罚款部分公司无法提供依据，同意不予扣除。"),
            ("session", 11, "双方确认金额15,000元，分三期每月支付5,000元。"),
            ("agree", 13, 60, "随州快捷物流有限公司向申请人罗文斌支付拖欠工资及派件提成共计人"
             "民币15,000元，分三期支付，每期5,000元，最后一期于协议签订后60日内付清。"),
            ("pay", 25, "c1", "5000.00", BANK),
            ("pay", 25, "c1", "5000.00", BANK, "同一笔转账重复录入，作废。"),
            ("pay", 50, "c1", "5000.00", BANK),
            ("pay", 72, "c1", "5000.00", BANK),
            "performed",
            ("close", 75, "三期款项均已按时到账，协议履行完毕。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r12", "6500.00")], ["suda", "shandian"], NOT_FULLY, HOTLINE,
        ago=97, at="16:40", worked=(-250, -3), unpaid=(-33, -3),
        matters="要求退还骑手押金并补发被扣的当月配送费",
        reasons="申请人在闪电骑士配送服务部跑单8个月，入职时缴纳押金2,000元。离职时服务部以“未提前"
        "一个月申请”为由拒退押金，并扣发当月配送费4,500元。",
        items={"r12": [("wages", "4500.00", "被扣发的当月配送费"),
                     ("other", "2000.00", "骑手押金")]},
        method="支付宝转账",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 6, "服务部同意退还押金并补发配送费，双方达成一致。"),
            ("agree", 7, 10, "闪电骑士配送服务部退还申请人孙亮押金2,000元，补发配送费4,500元，"
             "合计人民币6,500元，于协议签订后10日内付清。"),
            ("pay", 15, "r12", "6500.00", ALIPAY),
            "performed",
            ("close", 20, "押金和配送费已全部退还。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("h1", "24000.00")], ["changxing", "changda"], CIVIL, DESK,
        ago=87, at="14:20", worked=(-540, -6), unpaid=(-66, -6),
        matters="要求退还车辆租赁押金并结算未付的平台流水分成",
        reasons="申请人与随州市畅达汽车租赁有限公司签订“以租代购”合同，在畅行出行平台从事网约车服"
        "务，流水由租赁公司代收后按月分成。解约后公司扣留押金10,000元及最后两个月的流水"
        "分成14,000元。",
        items={"h1": [("wages", "14000.00", "最后两个月平台流水分成"),
                    ("other", "10000.00", "车辆租赁押金")]},
        agreed={"h1": "21400.00"},
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 8, "租赁公司主张扣除车辆维修费；经核对维修单据，双方同意扣除2,600元。"),
            ("agree", 10, 20, "随州市畅达汽车租赁有限公司退还申请人袁野押金及流水分成合计人民"
             "币21,400元（已扣除双方确认的车辆维修费2,600元），分两期于协议签订后20日内付清。"),
            ("pay", 16, "h1", "10000.00", BANK),
            ("pay", 29, "h1", "11400.00", BANK),
            "performed",
            ("close", 35, "两期款项均已到账，协议履行完毕。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("d1", "12000.00")], ["anxin"], LABOUR, "nanguan",
        ago=71, at="09:50", worked=(-700, -5), unpaid=(-125, -5),
        matters="追索拖欠的4个月工资",
        reasons="申请人与随州安心家政服务有限公司签订劳动合同，由公司派往客户家中做住家保姆，月工"
        "资3,000元由公司发放。公司称客户未付服务费，拖欠申请人4个月工资。",
        method="微信转账至申请人本人账户",
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            ("note", "申请人年龄较大，不常用智能手机，联系时请直接打电话，不要只发短信。"),
            "accept", "investigate", "mediate",
            ("session", 7, "公司承认欠付，同意分两期支付。"),
            ("agree", 9, 25, "随州安心家政服务有限公司向申请人沈桂兰支付拖欠工资人民币12,000"
             "元，分两期支付，每期6,000元，于协议签订后25日内付清。"),
            ("pay", 18, "d1", "6000.00", WECHAT),
            ("pay", 33, "d1", "6000.00", WECHAT),
            "performed",
            ("close", 40, "工资已全部付清。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("k1", "21000.00")], ["yikang", "hengxin"], LABOUR, DESK,
        ago=235, at="10:30", worked=(-900, -20), unpaid=(-110, -20),
        matters="追索拖欠的3个月工资及春节期间加班费",
        reasons="申请人由随州市恒信人力资源服务有限公司派遣至随州市颐康护理服务有限公司从事医院陪"
        "护，实行24小时陪护排班。用工单位拖欠3个月工资及春节期间加班费，派遣公司与用工单"
        "位相互推诿。",
        items={"k1": [("wages", "18600.00", "拖欠工资"),
                    ("compensation", "2400.00", "解除劳动合同经济补偿")]},
        agreed={"k1": "18300.00"},
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 9, "用工单位与派遣公司均到场；同意由用工单位支付，派遣公司承担"
             "连带责任。"),
            ("session", 13, "加班费按陪护记录核定，三方确认18,300元。"),
            ("agree", 14, 50, "随州市颐康护理服务有限公司向申请人曾凡英支付拖欠工资及加班费共"
             "计人民币18,300元，分三期支付，每期6,100元，于协议签订后50日内付清；随州市恒信人力"
             "资源服务有限公司对上述款项承担连带责任。"),
            ("pay", 25, "k1", "6100.00", BANK),
            ("pay", 45, "k1", "6100.00", BANK),
            ("pay", 63, "k1", "6100.00", BANK),
            "performed",
            ("close", 70, "三期款项均已付清。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r13", "7163.50")], ["suda", "feichi"], NOT_FULLY, "nanguan",
        ago=34, at="11:15", worked=(-200, None), unpaid=(-64, -4),
        matters="追索欠付的2个月配送费",
        reasons="申请人在飞驰配送站跑单，按单计酬。站点以“系统结算延迟”为由两个月未付配送费，申请"
        "人提供了速达骑手App的收入明细截图。",
        method="微信转账至申请人本人账户",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            ("note", "配送费已付清，待结案。"),
            "accept", "investigate", "mediate",
            ("session", 7, "按App收入明细核对单量，站点确认欠付7,163.50元，同意一周内付清。"),
            ("agree", 9, 7, "飞驰配送站向申请人朱小龙支付欠付配送费人民币7,163.50元，于协议签"
             "订后7日内付清。"),
            ("pay", 14, "r13", "7163.50", WECHAT),
            "performed",
        ],
    ),
    Dispute(
        "guangshui", "citysupervisor", [("t2", "42000.00")], ["xinlu"], LABOUR, HOTLINE,
        ago=114, at="08:45", worked=(-1300, None), unpaid=(-60, -1), priority="urgent",
        matters="要求支付工伤医疗费及停工留薪期工资",
        reasons="申请人为广水市鑫路物流有限公司货车司机，在装卸货物时从车厢摔下致腰椎骨折，住院治"
        "疗花费医疗费3万余元，均由申请人垫付。公司未为申请人缴纳工伤保险，拒绝承担医疗费。",
        agreed={"t2": "35000.00"},
        story=[
            ("take", "citysupervisor"),
            ("contact", 0, CALL, "申请人冯志刚", "12351职工服务热线转来求助，申请人仍在住院，"
             "约定由其妻子代交材料。"),
            ("contact", 3, VISIT, "广水市鑫路物流有限公司 秦德胜", "到公司了解事故经过，公司"
             "承认事故发生在工作中。"),
            ("note", "已建议申请人同时申请工伤认定；公司未缴纳工伤保险，已告知其应承担"
             "的法律责任。"),
            "accept", "investigate", "mediate",
            ("session", 10, "公司承认事故发生在工作中，但对停工留薪期工资计算有异议。"),
            ("session", 14, "双方同意按35,000元一次性解决医疗费及停工期间工资，分两期支付。"),
            ("agree", 15, 30, "广水市鑫路物流有限公司向申请人冯志刚支付工伤医疗费及停工留薪期"
             "工资共计人民币35,000元：协议签订后7日内支付20,000元，余款15,000元于30日内付清。"),
            ("pay", 22, "t2", "20000.00", BANK),
            ("pay", 44, "t2", "15000.00", BANK),
            "performed",
            ("close", 50, "医疗费及停工期间工资已全部支付。"),
        ],
    ),
    Dispute(
        "guangshui", "citysupervisor", [("c2", "11600.00")], ["tongda"], LABOUR, HOTLINE,
        ago=255, at="15:00", worked=(-480, -7), unpaid=(-67, -7),
        matters="追索拖欠的2个月工资，要求退还工装和电动车押金",
        reasons="申请人在广水市通达速递服务部从事快递派送，月工资约4,500元。服务部拖欠2个月工资，"
        "离职时扣留工装押金和电动车押金共2,600元。",
        story=[
            ("take", "citysupervisor"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 6, "服务部负责人到场，承认欠付，同意一次性付清。"),
            ("agree", 8, 14, "广水市通达速递服务部向申请人郑凯文支付拖欠工资9,000元并退还押金"
             "2,600元，合计人民币11,600元，于协议签订后14日内一次性付清。"),
            ("pay", 18, "c2", "11600.00", BANK),
            "performed",
            ("close", 25, "款项已一次性付清。"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("k2", "18000.00")], ["kangle"], LABOUR, DESK,
        ago=85, at="09:10", worked=(-1500, -2), unpaid=(-152, -2),
        matters="追索拖欠的5个月护理员工资",
        reasons="申请人在随县康乐养老服务中心担任护理员，负责失能老人日常照护，月工资3,600元。中心"
        "以民政补贴未到位为由拖欠5个月工资。",
        agreed={"k2": "16800.00"},
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 8, "中心负责人承认欠薪，提出扣除申请人请假期间工资1,200元，申请人认可。"),
            ("agree", 11, 30, "随县康乐养老服务中心向申请人蔡文静支付拖欠工资共计人民币16,800"
             "元，分两期支付，每期8,400元，于协议签订后30日内付清。"),
            ("pay", 20, "k2", "8400.00", BANK),
            ("pay", 40, "k2", "8400.00", BANK),
            "performed",
            ("close", 45, "工资已分两期付清。"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("o1", "14836.50")], ["antu"], CIVIL, HOTLINE,
        ago=315, at="20:05", unpaid=(-45, -2),
        matters="要求平台解冻账户余额并退还服务保证金",
        reasons="申请人在安途代驾平台从事代驾服务，平台以“疑似刷单”为由冻结其账户，账户内未提现收"
        "入12,836.50元及服务保证金2,000元无法提取。申请人提供了全部订单记录，否认刷单。",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 7, "平台法务远程参加，经核查订单轨迹未发现刷单，同意解冻并退还保证金。"),
            ("agree", 10, 15, "安途代驾平台（湖北安途信息科技有限公司）向申请人田志军支付账户"
             "余额12,836.50元并退还服务保证金2,000元，合计人民币14,836.50元，于协议签订后1"
             "5日内付清。"),
            ("pay", 21, "o1", "14836.50", BANK),
            "performed",
            ("close", 30, "平台已解冻账户并退还保证金，款项全部到账。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("r11", "23600.00")],
        ["suda", "feichi", "zhonglian"], NOT_FULLY, DESK,
        ago=130, at="13:40", worked=(-300, None), priority="high",
        matters="要求支付送餐途中受伤的医疗费及误工费",
        reasons="申请人送餐途中被机动车撞伤，住院12天。站点称申请人是派遣公司员工，派遣公司称申请"
        "人是平台“众包骑手”，均拒绝承担医疗费和误工费。",
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 7, "派遣公司与站点互相推诿，均不承认是用工主体，调解不成。"),
            "fail",
            ("refer", 18, ARBITRATION, "随州市劳动人事争议仲裁委员会"),
            ("close", 35, "仲裁委已立案受理，工会已协助提交证据材料，后续由仲裁程序处理"
             "，本案结案。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("c4", "8400.00")], ["shunxin"], LABOUR, "wenfeng",
        ago=100, at="10:20", worked=(-390, -8), unpaid=(-69, -8),
        matters="追索拖欠的2个月工资",
        reasons="申请人在顺心快递驿站从事快递分拣和派送，月工资4,200元，驿站拖欠2个月工资。",
        agreed={"c4": "8000.00"},
        story=[
            ("take", "caseworker"),
            ("contact", 30, CALL, "驿站经营者 陆小波", "电话关机，驿站已关门，门口张贴"
             "转让告示。"),
            "accept", "investigate", "mediate",
            ("session", 6, "驿站经营者承认欠薪，同意扣除申请人损坏的扫描枪400元后付清。"),
            ("agree", 11, 15, "随州市曾都区顺心快递驿站向申请人谢天宇支付拖欠工资人民币8,000"
             "元，于协议签订后15日内付清。"),
            ("shortfall", 42, "supervisor", "协议签订后驿站经营者下落不明、驿站已关闭，经多次催"
             "告未履行。申请人表示不再通过工会追索，已委托法律援助律师向法院申请支付令。经"
             "审核，按未足额履行结案。"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("t5", "8000.00")], [], CIVIL, DESK,
        ago=103, at="10:00",
        matters="要求车队同事归还借款8,000元",
        reasons="申请人称在车队工作期间借给同事8,000元购买车辆配件，对方至今未还。",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            ("decline", 3, "申请事项为申请人与同事之间的个人借款纠纷，不属于劳动报酬争议，不"
             "予受理；已告知可向村（社区）人民调解委员会申请调解。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("h3", "3200.00")], ["changxing"], CIVIL, HOTLINE,
        ago=16, at="18:30",
        matters="要求平台退还以乘客投诉为由扣除的服务费",
        reasons="申请人称畅行出行平台以乘客投诉为由扣除其服务费3,200元，申请人认为投诉不实。",
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            ("decline", 1, "该争议已由随州市曾都区人民法院立案受理，工会不再重复受理；已告知"
             "申请人按诉讼程序处理，如需法律援助可联系工会职工法律服务站。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r13", "3100.00")], ["shandian"], NOT_FULLY, "nanguan",
        ago=145, at="12:00", unpaid=(-35, -5),
        matters="追索欠付的1个月配送费",
        reasons="申请人在闪电骑士配送服务部跑单，服务部以“账期未到”为由未结算上月配送费。",
        story=[
            ("take", "caseworker"),
            ("contact", 2, CALL, "闪电骑士配送服务部 严俊", "服务部表示本周内补发。"),
            "accept", "investigate",
            ("withdraw", 5, "服务部已于调查期间通过微信补发全部配送费，申请人确认收到，"
             "自愿撤回申请。"),
        ],
    ),
    Dispute(
        "guangshui", "citysupervisor", [("k3", "6200.00")], ["hengxin"], LABOUR, HOTLINE,
        ago=50, at="16:15", worked=(-260, -10), unpaid=(-70, -10),
        matters="追索拖欠的陪护工资",
        reasons="申请人由随州市恒信人力资源服务有限公司安排在广水市一家医院做护工，公司拖欠2"
        "个月陪护工资。",
        story=[
            ("take", "citysupervisor"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 6, "派遣公司同意核算工资，但要求申请人先交回工作证和陪护床。"),
            ("withdraw", 15, "申请人已返乡照顾家人，表示不再主张，自愿撤回申请；已告知"
             "其仲裁时效。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("h2", "9800.00")], ["changxing"], CIVIL, HOTLINE,
        ago=90, at="19:20", unpaid=(-20, -1),
        matters="要求平台解除封号并结算被冻结的流水收入",
        reasons="申请人在畅行出行平台从事网约车服务三年，平台以“多次绕路”为由永久封号，账户内流水"
        "收入7,800元及保证金2,000元被冻结。申请人认为平台未给予申诉机会。",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            ("note", "已协助申请人准备起诉状和证据目录，并联系法律援助律师代理。"),
            "accept", "investigate", "mediate",
            ("session", 6, "平台坚持封号处理，仅同意退还保证金2,000元，申请人不同意。"),
            ("session", 13, "平台未派员到场，调解不成。"),
            "fail",
            ("refer", 20, COURT, "随州市曾都区人民法院"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("c3", "9000.00")], ["anju"], LABOUR, DESK,
        ago=120, at="09:40", worked=(-600, -15), unpaid=(-105, -15),
        matters="追索拖欠的3个月工资",
        reasons="申请人在随县安居快递服务部从事快递派送，月工资3,000元，服务部拖欠3个月工资。",
        method="微信转账至申请人本人账户",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            ("note", "第一期3,000元逾期未付，多次电话催告无果。依据调解协议协助申请人向法院申"
             "请支付令。"),
            ("claim", 60, "书面催告服务部履行调解协议"),
            "accept", "investigate", "mediate",
            ("session", 8, "服务部承认欠薪，同意分三期支付，每期3,000元。"),
            ("agree", 12, 30, "随县安居快递服务部向申请人梁振宇支付拖欠工资人民币9,000元，分"
             "三期支付，每期3,000元，于协议签订后30日内付清。"),
            ("refer", 75, COURT, "随县人民法院"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("t4", "26500.00")], ["shuntu"], CIVIL, HOTLINE,
        ago=45, at="17:50", unpaid=(-30, -25),
        matters="要求平台返还被扣除的货损赔偿款及运费",
        reasons="申请人在顺途同城货运平台承接一单家具运输，收货人称家具破损，平台未经核实即从申请"
        "人账户扣除赔偿款21,500元，并扣留该单运费5,000元。",
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            ("note", "已告知申请人：双方可能被认定为民事合作关系，建议向人民法院起诉；申请人"
             "正在考虑。"),
            "accept", "investigate", "mediate",
            ("session", 5, "平台坚持按收货人索赔全额扣款，申请人要求出具定损报告。"),
            ("session", 12, "平台拒绝调整扣款金额，申请人不接受，调解不成。"),
            "fail",
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("d3", "9600.00")], ["anxin"], LABOUR, DESK,
        ago=70, at="11:00", worked=(-420, -12), unpaid=(-100, -12),
        matters="追索拖欠的3个月工资",
        reasons="申请人由随州安心家政服务有限公司安排到客户家中做育儿嫂，工资由公司按月发放。公司"
        "称双方只是中介关系，拖欠3个月工资9,600元。",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            ("note", "申请人由家政公司招用、派遣和管理，与公司之间属于劳动争议（R10）；已告知"
             "申请人向随州市劳动人事争议仲裁委员会申请仲裁，正在帮其准备材料。"),
            "accept", "investigate", "mediate",
            ("session", 8, "公司主张双方为居间服务关系，否认劳动关系，拒绝支付。"),
            "fail",
        ],
    ),
    Dispute(
        "zengdu", "caseworker", COLLECTIVE, ["shandian", "suda"], NOT_FULLY, "nanguan",
        ago=16, at="10:45", worked=(-500, -30), unpaid=(-90, -30), priority="high",
        matters="10名骑手集体追索闪电骑士配送服务部欠付的2个月配送费",
        reasons="闪电骑士配送服务部承接速达外卖在城南片区的配送业务。服务部负责人以平台结算延迟为"
        "由，连续两个月未向骑手结算配送费，后突然关闭站点。10名骑手推选张伟、杨帆为代表，共同申"
        "请工会调解。",
        method="微信或银行转账至各申请人本人账户",
        attendees="申请人代表：张伟、杨帆；闪电骑士配送服务部：严俊；速达外卖平台：钱立新；调"
        "解员：陈晓燕",
        story=[
            ("take", "caseworker"),
            ("contact", 0, VISIT, "骑手代表张伟、杨帆", "在汉东路工会驿站接待10名骑手，逐一登"
             "记欠付金额。"),
            ("contact", 1, CALL, "速达外卖平台随州区域经理 钱立新", "平台表示将暂扣服务部的结"
             "算款，优先用于支付骑手。"),
            ("contact", 14, MESSAGE, "全体申请人（微信群）", "通知调解协议已签订，第一期款项"
             "于10日内发放。"),
            ("note", "集体案件（R9）：代表张伟、杨帆。每名骑手的单量以速达骑手App后台导"
             "出数据为准。"),
            "accept", "investigate", "mediate",
            ("session", 6, "服务部负责人到场，承认欠付，但称资金不足；平台区域经理表示将协调"
             "结算款优先支付骑手。"),
            ("session", 12, "三方确认每名骑手的欠付金额，服务部同意分两期支付，平台承诺对第二"
             "期承担垫付责任。"),
            ("agree", 13, 40, "闪电骑士配送服务部向张伟等10名骑手支付欠付配送费共计人民币{tot"
             "al}元（各人金额见附表），协议签订后10日内支付50%，余款于40日内付清；速达外卖平台"
             "对余款承担垫付责任。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("t3", "18600.00")], ["shuntu"], CIVIL, HOTLINE,
        ago=40, at="08:55", unpaid=(-60, -3),
        matters="要求平台结算被扣留的运费并退还信息服务保证金",
        reasons="申请人驾驶自有4.2米厢式货车在顺途同城货运平台接单。平台以“货损投诉”为由扣留其近两"
        "个月运费14,600元及信息服务保证金4,000元，申请人认为货损与其无关。",
        agreed={"t3": "16000.00"},
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 7, "平台提交货损照片，经比对属于装车前已有破损；平台同意退还大"
             "部分款项。"),
            ("agree", 11, 60, "湖北顺途供应链科技有限公司（顺途同城货运平台）向申请人于海洋支"
             "付运费及退还保证金共计人民币16,000元，分三期支付：6,000元、5,000元、5,000元，最后"
             "一期于协议签订后60日内付清。"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("d2", "7500.00")], ["liu_household"], CIVIL, DESK,
        ago=20, at="14:00", worked=(-330, -25), unpaid=(-85, -25),
        matters="追索雇主拖欠的保姆工资",
        reasons="申请人经熟人介绍直接受雇于刘某家中照顾瘫痪老人，约定月工资3,500元。老人去世后，刘"
        "某以家中困难为由拖欠最后两个月工资及节日红包500元。",
        agreed={"d2": "7000.00"},
        method="现金或微信转账，申请人出具收条",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            ("note", "申请人由家庭直接雇用，双方不属于劳动关系（R10），按民事纠纷调解。"),
            "accept", "investigate", "mediate",
            ("session", 6, "刘某同意支付两个月工资7,000元，申请人放弃500元节日红包。"),
            ("agree", 9, 20, "刘某向申请人彭秀梅支付拖欠的保姆工资人民币7,000元，于协议签订后"
             "20日内一次性付清。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r14", "4280.00")],
        ["suda", "feichi", "zhonglian"], NOT_FULLY, "nanguan",
        ago=30, at="15:30", worked=(-150, None), unpaid=(-40, -8),
        matters="追索被扣发的配送费",
        reasons="申请人在飞驰配送站跑单，站点以“差评罚款”为由扣发配送费4,280元，申请人认为差评不实"
        "且罚款标准从未告知。",
        method="微信转账至申请人本人账户",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            ("note", "站点尚未返还第一笔款项，已电话提醒其按协议履行。"),
            "accept", "investigate", "mediate",
            ("session", 5, "站点无法提供罚款规则的告知记录，同意全额返还。"),
            ("agree", 8, 30, "飞驰配送站向申请人胡斌返还扣发的配送费人民币4,280元，分两次于协"
             "议签订后30日内付清。"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("o2", "5600.00")], ["youpin"], NOT_FULLY, DESK,
        ago=42, at="10:10", worked=(-240, -5), unpaid=(-65, -5),
        matters="追索拖欠的直播带货底薪和销售提成",
        reasons="申请人在随县漳潭镇优品电商服务部从事香菇、木耳等农产品直播带货，约定底薪2,000元加"
        "销售提成。服务部拖欠两个月底薪及提成。",
        agreed={"o2": "5000.00"},
        method="微信转账至申请人本人账户",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 6, "服务部按后台销售数据核对提成，双方确认5,000元。"),
            ("agree", 10, 45, "随县漳潭镇优品电商服务部向申请人付雨欣支付底薪及销售提成共计人"
             "民币5,000元，分两期于协议签订后45日内付清。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("k5", "15600.00")], ["yikang", "hengxin"], LABOUR, DESK,
        ago=26, at="09:20", worked=(-800, -6), unpaid=(-126, -6),
        matters="追索拖欠的4个月陪护工资",
        reasons="申请人由随州市恒信人力资源服务有限公司派遣至随州市颐康护理服务有限公司做医院护工，"
        "月工资3,900元。用工单位以医院结算滞后为由拖欠4个月工资。",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            ("note", "调解期限已过，用工单位仍在内部审批。下次调解仍无结果的，建议申请"
             "人申请仲裁。"),
            "accept", "investigate", "mediate",
            ("session", 6, "用工单位承认欠薪，但称需报总公司审批付款计划。"),
            ("session", 13, "用工单位仍未拿出付款计划，派遣公司表示可先行垫付一半，申请人要求"
             "一次付清。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("h5", "6300.00")], ["changxing"], CIVIL, HOTLINE,
        ago=10, at="13:25", unpaid=(-70, -40),
        matters="要求平台结算被暂扣的奖励金和流水",
        reasons="申请人在畅行出行平台跑车，平台以“账户异常待核查”为由暂扣其当月奖励金和流水共6,300"
        "元，已超过两个月未处理。",
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 7, "平台客服主管远程参加，同意重新核查，三日内回复。"),
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("o3", "4800.00")], ["youpin"], NOT_FULLY, DESK,
        ago=9, at="15:45", worked=(-180, -10), unpaid=(-70, -10),
        matters="追索拖欠的直播带货提成",
        reasons="申请人为随县漳潭镇优品电商服务部的带货主播，服务部以“退货率高”为由拒付两个月销售"
        "提成4,800元。",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            "accept", "investigate", "mediate",
            ("session", 6, "服务部提交退货数据，双方对退货订单是否扣提成分歧较大，约定"
             "再次调解。"),
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r16", "5870.00")],
        ["suda", "feichi", "zhonglian"], NOT_FULLY, "nanguan",
        ago=8, at="11:30", worked=(-420, None), unpaid=(-60, -5),
        matters="追索欠付的配送费及高温补贴",
        reasons="申请人在飞驰配送站跑单，站点未按约定发放高温补贴，并拖欠上月配送费。",
        story=[
            ("take", "caseworker"),
            ("contact", 2, CALL, "飞驰配送站负责人 杜建军", "站点称高温补贴应由平台发放，正在"
             "核对单量。"),
            "accept", "investigate",
        ],
    ),
    Dispute(
        "zengdu", "caseworker2", [("d5", "8400.00")], ["anxin"], LABOUR, DESK,
        ago=7, at="16:00", worked=(-760, -4), unpaid=(-64, -4),
        matters="追索拖欠的2个月工资及未休年休假工资",
        reasons="申请人为随州安心家政服务有限公司的月嫂，公司拖欠2个月工资，离职时也未支付未"
        "休年休假工资。",
        story=[
            ("take", "caseworker", "supervisor", "caseworker2",
             "陈晓燕本周承办集体案件，本案改由刘志强承办。"),
            ("contact", 0),
            "accept", "investigate",
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("c6", "7800.00")], ["kuaijie"], LABOUR, DESK,
        ago=5, at="10:25", worked=(-300, -3), unpaid=(-48, -3),
        matters="追索拖欠的工资及派件提成",
        reasons="申请人在随州快捷物流有限公司做快递员，公司拖欠一个半月工资及派件提成。",
        story=[
            ("take", "caseworker"),
            ("contact", 0),
            "accept",
        ],
    ),
    Dispute(
        "suixian", "caseworker3", [("t5", "13200.00")], ["xingda"], LABOUR, DESK,
        ago=4, at="09:00", worked=(-950, -6), unpaid=(-96, -6),
        matters="追索拖欠的3个月运费提成",
        reasons="申请人为随州市兴达汽车运输有限公司货车司机，公司拖欠3个月运费提成。",
        story=[
            ("take", "caseworker3"),
            ("contact", 0),
            "accept",
        ],
    ),
    Dispute(
        "zengdu", "caseworker", [("r15", "3650.00")], ["suda", "feichi"], NOT_FULLY, "nanguan",
        ago=1, at="17:20", worked=(-62, None), unpaid=(-62, -2),
        matters="追索欠付的配送费",
        reasons="申请人在飞驰配送站跑单两个月，站点以“新人考核期”为由只发放一半配送费。",
    ),
    Dispute(
        "zengdu", "caseworker2", [("k4", "5400.00")], ["yikang"], LABOUR, DESK,
        ago=0, at="09:05", worked=(-400, -1), unpaid=(-46, -1),
        matters="追索被扣发的护工工资",
        reasons="申请人在随州市颐康护理服务有限公司做护工，公司以“家属投诉”为由扣发一个半月工资。",
    ),
    Dispute(
        "suixian", "caseworker3", [("d4", "4500.00")], ["anxin"], LABOUR, DESK,
        ago=2, at="10:40", worked=(-220, -3), unpaid=(-48, -3),
        matters="追索拖欠的保洁工资",
        reasons="申请人由随州安心家政服务有限公司安排做钟点工保洁，公司拖欠一个半月工资。",
    ),
    Dispute(
        "guangshui", "citysupervisor", [("t6", "16800.00")], ["xinlu"], LABOUR, HOTLINE,
        ago=1, at="08:30", worked=(-1000, -4), unpaid=(-94, -4),
        matters="追索拖欠的运费提成及出车补助",
        reasons="申请人为广水市鑫路物流有限公司货车司机，公司拖欠3个月运费提成和出车补助。",
    ),
    Dispute(
        "guangshui", "citysupervisor", [("c5", "5200.00")], ["tongda"], LABOUR, HOTLINE,
        ago=3, at="20:10", worked=(-360, -5), unpaid=(-35, -5),
        matters="追索拖欠的工资及押金",
        reasons="申请人在广水市通达速递服务部从事快递派送，服务部拖欠一个月工资，另扣押金1,000元。",
    ),
    Dispute(
        "zengdu", "caseworker2", [("h4", "12500.00")], ["changxing", "changda"], CIVIL, HOTLINE,
        ago=2, at="14:50", unpaid=(-32, -2),
        matters="要求退还车辆押金及结算最后一个月的流水分成",
        reasons="申请人与随州市畅达汽车租赁有限公司解除车辆租赁合同后，公司以车辆有划痕为由扣留押"
        "金8,000元及最后一个月流水分成4,500元。",
        story=[
            ("take", "caseworker2"),
            ("contact", 0),
        ],
    ),
]

AID = [
    Aid(
        "zengdu", "caseworker", "t1", DESK, ago=96, at="09:40",
        circumstances="申请人妻子患尿毒症，每周透析三次，医保报销后每月自付约2,000元；申请人本人腰"
        "椎间盘突出，跑长途的收入减少。家中两个孩子上学，申请医疗救助。",
        story=[
            ("take", "caseworker"),
            ("visit", 3, (4, "38000.00", "24000.00", "0.00"), "陈晓燕、曾都区总工会帮扶"
             "中心 吴主任",
             "走访申请人家中（曾都区府河镇），核实妻子透析治疗的病历和缴费单据。家中四口人，申"
             "请人为唯一劳动力，年收入约3.8万元；透析自付及两个孩子的学费等刚性支出约2.4万元。"
             "住房为自建房，无其他资产。"),
            ("recommend", 6, MEDICAL, "4000.00", DEEP, "家庭人均可支配收入低于低保线，妻子长"
             "期透析，建议给予医疗救助4,000元。"),
            ("approve", 8, "supervisor", "同意。"),
            ("disburse", 12, "4000.00", "银行转账至申请人本人账户", "帮扶资金发放回执 ZD-0417"),
            ("close", 15, "救助金已到账，申请人已签收回执。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker", "c4", "dispute", ago=52, at="14:30",
        circumstances="申请人的欠薪纠纷（{dispute}）签订调解协议后驿站经营者下落不明，8,000元工资"
        "分文未得，已结案。申请人失业两个月，房租和孩子的托育费无力支付，申请困难帮扶。",
        story=[
            ("take", "caseworker"),
            ("visit", 3, (3, "30000.00", "14400.00", "0.00"), "陈晓燕、东城街道社区网格员 黄敏",
             "申请人租住在曾都区东城街道，一家三口，妻子在超市做收银员。申请人失业后家庭年收入"
             "约3万元，房租及孩子托育费每年约1.44万元。"),
            ("recommend", 6, CASH_AID, "3000.00", DEEP, "欠薪未能追回、本人失业，家庭人均可支"
             "配收入低于低保线，建议给予生活救助3,000元。"),
            ("approve", 8, "supervisor2", "同意，尽快发放。"),
            ("disburse", 10, "3000.00", "银行转账至申请人本人账户", "帮扶资金发放回执 ZD-0452"),
        ],
    ),
    Aid(
        "zengdu", "caseworker", "d3", DESK, ago=18, at="10:15",
        circumstances="申请人做育儿嫂被拖欠3个月工资，与家政公司的争议调解不成，正在申请仲裁。申请"
        "人离异，独自抚养上初中的女儿，新学期的学费和住宿费无力支付，申请助学救助。",
        story=[
            ("take", "caseworker"),
            ("visit", 3, (2, "22000.00", "9600.00", "0.00"), "陈晓燕、曾都区总工会女职工部 何敏",
             "申请人与女儿租住在曾都区北郊街道，两口之家。近一年家庭收入约2.2万元，房租和女儿学"
             "费等刚性支出约9,600元。"),
            ("recommend", 7, EDUCATION, "2500.00", DEEP, "家庭人均可支配收入低于低保线，女儿"
             "新学期学费和住宿费无着落，建议给予助学救助2,500元。"),
            ("approve", 16, "supervisor", "同意。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker2", "k5", HOTLINE, ago=15, at="09:00",
        circumstances="申请人的丈夫去年在工地摔伤致高位截瘫，长期卧床康复；儿子在武汉读大学。申请"
        "人做医院护工被拖欠4个月工资（正在调解），家中康复费用和学费无力承担，申请医疗救助。",
        story=[
            ("take", "caseworker2"),
            ("visit", 2, (3, "28000.00", "30000.00", "0.00"), "刘志强、曾都区总工会帮扶"
             "中心 吴主任",
             "走访申请人家中（曾都区南郊街道），核实丈夫的伤残鉴定、康复治疗票据和儿子的学费通"
             "知书。一家三口，申请人为唯一收入来源，年收入约2.8万元；丈夫康复治疗和儿子学费等刚"
             "性支出约3万元。"),
            ("recommend", 5, MEDICAL, "6000.00", DEEP, "家庭可支配收入为负，丈夫需长期康复治"
             "疗，建议给予医疗救助6,000元。"),
            ("approve", 13, "supervisor", "同意，超过审批限额，请李敏同志复核。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker", "r16", "nanguan", ago=9, at="16:20",
        circumstances="申请人送餐途中雨天摔伤，左腿胫骨骨折，手术及住院费用4.2万元，平台意外险理赔"
        "尚未到账。申请人与母亲同住，伤后三个月无法跑单，申请意外困难帮扶。",
        story=[
            ("take", "supervisor"),
            ("note", "陈晓燕本周承办集体案件，本申请由王建华直接承办；按“四眼原则”，须由另一"
             "位审批人审批。"),
            ("visit", 2, (2, "48000.00", "8000.00", "42000.00"), "王建华、刘志强",
             "到医院看望申请人，核实病历、手术和住院缴费单据。两口之家，母亲在超市做理货员；近"
             "一年家庭收入约4.8万元，房租等刚性支出约8,000元；本次医疗费用4.2万元。"),
            ("recommend", 4, MEDICAL, "3000.00", ACCIDENT, "医疗费用超过家庭年收入的80%，属意"
             "外致困，建议给予医疗救助3,000元。"),
        ],
    ),
    Aid(
        "suixian", "caseworker3", "d2", DESK, ago=14, at="10:30",
        circumstances="申请人丈夫去年因病去世，女儿在随县一中读高三。申请人做保姆的工资被雇主拖欠"
        "（正在调解），女儿的学费和生活费无着落，申请助学救助。",
        story=[
            ("take", "caseworker3"),
            ("visit", 3, (3, "18000.00", "6000.00", "0.00"), "黄丽娟、厉山镇总工会 江主任",
             "走访申请人家中（随县厉山镇），母女二人和年迈的婆婆共三口人。家庭年收入约1.8万元，"
             "婆婆的慢性病药费和女儿学费等刚性支出约6,000元。"),
            ("recommend", 6, EDUCATION, "2000.00", DEEP, "家庭人均可支配收入低于低保线，女儿"
             "读高三，建议给予助学救助2,000元。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker", "h2", DESK, ago=45, at="15:00",
        circumstances="申请人被网约车平台封号后收入中断（已起诉），两个孩子上小学，房贷每月还款3,2"
        "00元，申请生活救助。",
        story=[
            ("take", "caseworker"),
            ("visit", 4, (4, "120000.00", "38400.00", "0.00"), "陈晓燕、高新区社区网格员 朱峰",
             "申请人一家四口，妻子为公司文员。近一年家庭收入约12万元（含申请人被封号前的流水收"
             "入），房贷等刚性支出约3.84万元。"),
            ("recommend", 7, CASH_AID, "3000.00", RELATIVE, "申请人被封号后已无收入，家庭每月"
             "仍需还房贷，建议给予生活救助3,000元。",
             "近一年收入主要是申请人被封号前的网约车流水，封号后已无此项收入，按近一年收入计算"
             "不能反映家庭现在的困难。"),
            ("reject", 10, "supervisor2", "按核查的家庭年收入，不属于困难职工救助范围；申请人"
             "已起诉平台，判决后收入仍无着落的，可再行申请。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker2", "r08", HOTLINE, ago=62, at="11:20",
        circumstances="申请人所在的配送站关闭后一直没有找到工作，父亲住院，申请生活救助。",
        story=[
            ("take", "caseworker2"),
            ("withdraw", 5, "申请人已在快递公司找到工作，表示不再需要帮扶，自愿撤回申请。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker2", "h5", "nanguan", ago=20, at="13:45",
        circumstances="申请人母亲患乳腺癌，正在化疗；申请人跑网约车的奖励金和流水被平台暂扣（正在"
        "调解），家中收入锐减，申请医疗救助。",
        story=[
            ("take", "caseworker2"),
            ("visit", 3, (4, "60000.00", "30000.00", "0.00"), "刘志强、高新区社区网格员 朱峰",
             "走访申请人家中，一家四口（父母、申请人及妻子）。近一年家庭收入约6万元，母亲化疗自"
             "付费用和房租等刚性支出约3万元。"),
            ("recommend", 6, MEDICAL, "3500.00", DEEP, "家庭人均可支配收入低于低保线，母亲化"
             "疗费用负担重，建议给予医疗救助3,500元。"),
            ("return_for_revision", 9, "supervisor",
             "家访记录未写明母亲的医保报销情况，也没有化疗费用单据，请补充后重新提交。"),
        ],
    ),
    Aid(
        "zengdu", "caseworker", "r15", DESK, ago=1, at="15:30",
        circumstances="申请人新到配送站只拿到一半配送费（欠薪纠纷已登记），父亲突发脑梗住院，申请"
        "医疗救助。",
    ),
]

CARDS = [
    Card(
        "zengdu", "caseworker2", "d1", HOTLINE, ago=360, at="09:30",
        family=[("刘德明", SPOUSE, "19660308", "421321", "M", "")],
        story=[
            ("take", "caseworker2"),
            ("verify", 4, "核验工会会员证、申请人及配偶身份证、户口簿。"),
            ("approve", 7, "supervisor"),
            ("issue", 13, 1873),
            ("close", 14, "惠工卡已交申请人本人签收。"),
        ],
    ),
    Card(
        "zengdu", "caseworker", "t1", DESK, ago=215, at="10:40",
        family=[("马秀英", SPOUSE, "19740302", "421303", "F", ""),
                ("唐磊", CHILD, "20060911", "421303", "M", "")],
        story=[
            ("take", "caseworker"),
            ("verify", 4, "核验工会会员证、户口簿及家庭成员身份证。"),
            ("approve", 8, "supervisor"),
            ("issue", 15, 2406),
            ("close", 16, "惠工卡已交申请人本人签收。"),
        ],
    ),
    Card(
        "suixian", "caseworker3", "o1", "lishan", ago=70, at="14:10",
        family=[("田春生", PARENT, "19600218", "421321", "M", "")],
        story=[
            ("take", "caseworker3"),
            ("verify", 3, "核验工会会员证、申请人及父亲身份证。"),
            ("reject", 8, "citysupervisor", "核查发现申请人的会员关系已于今年转至武汉市总工会，"
             "应向转入地工会申领惠工卡；已告知申请人。"),
        ],
    ),
    Card(
        "zengdu", "caseworker2", "k1", DESK, ago=48, at="11:00",
        story=[
            ("take", "caseworker2"),
            ("withdraw", 4, "申请人已由用工单位办理职工补充医疗保险，自愿撤回申请。"),
        ],
    ),
    Card(
        "zengdu", "caseworker", "r11", HOTLINE, ago=38, at="15:20",
        family=[("李娟", SPOUSE, "19960427", "421303", "F", "")],
        story=[
            ("take", "caseworker"),
            ("add", ("宋子涵", CHILD, "20190816", "421303", "F", "宋喆（父亲）")),
            ("verify", 3, "核验工会会员证、申请人及家庭成员身份证、户口簿；子女未满14周岁，已"
             "由父亲宋喆签署监护人同意书。"),
            ("approve", 6, "supervisor2"),
            ("issue", 10, 3155),
        ],
    ),
    Card(
        "zengdu", "caseworker", "c1", DESK, ago=13, at="09:50",
        family=[("罗长顺", PARENT, "19580611", "421303", "M", "")],
        story=[
            ("take", "caseworker"),
            ("verify", 4, "核验工会会员证、申请人及父亲身份证、户口簿。"),
        ],
    ),
    Card(
        "zengdu", "caseworker2", "h1", "nanguan", ago=12, at="16:05",
        family=[("周静", SPOUSE, "19890213", "421303", "F", "")],
        story=[
            ("take", "caseworker2"),
            ("verify", 3, "核验工会会员证、申请人及配偶身份证。"),
            ("approve", 9, "supervisor"),
        ],
    ),
    Card(
        "suixian", "caseworker3", "k2", DESK, ago=9, at="10:20",
        story=[
            ("take", "caseworker3"),
            ("verify", 3, "核验工会会员证和申请人身份证。"),
        ],
    ),
    Card(
        "guangshui", "citysupervisor", "t2", HOTLINE, ago=6, at="08:50",
        family=[("冯丽", SPOUSE, "19780920", "421381", "F", ""),
                ("冯浩", CHILD, "20040517", "421381", "M", "")],
        story=[
            ("take", "citysupervisor"),
            ("verify", 2, "核验工会会员证、户口簿及家庭成员身份证。"),
        ],
    ),
    Card(
        "zengdu", "caseworker", "r01", DESK, ago=2, at="17:10",
        family=[("王芳", SPOUSE, "19920105", "421303", "F", "")],
    ),
]
# fmt: on

# --- service stations (驿站, 微阵地) and their daily tallies --------------------------------

# key: (office key, name, type, address, opened on, keeper's username)
STATIONS = {
    "nanguan": (
        "zengdu", "南关口骑手爱心驿站", Station.Type.OUTDOOR,
        "随州市曾都区解放路与烈山大道交汇处南关口社区服务中心一楼", "2023-04-28", "caseworker",
    ),
    "wenfeng": (
        "zengdu", "文峰塔快递小哥工会驿站", Station.Type.UNION,
        "随州市曾都区文峰大道58号文峰塔社区党群服务中心", "2024-05-01", "caseworker2",
    ),
    "dongcheng": (
        "zengdu", "东城街道职工母婴室", Station.Type.NURSING,
        "随州市曾都区东城街道青年路12号街道总工会二楼", "2024-09-20", "caseworker2",
    ),
    "lishan": (
        "suixian", "厉山镇户外劳动者爱心驿站", Station.Type.OUTDOOR,
        "随州市随县厉山镇神农大道与炎帝大道交叉口", "2024-03-15", "caseworker3",
    ),
    "suixian_heart": (
        "suixian", "随县职工心灵加油站", Station.Type.WELLBEING,
        "随州市随县经济开发区府前街1号县总工会三楼", "2025-03-08", "caseworker3",
    ),
}  # fmt: skip

# Person-visits on an ordinary day, by station type and service (the tally loop varies
# them by weekday, season and chance).
_S = ServiceTally.Service
DAILY_VISITS = {
    Station.Type.OUTDOOR: {
        _S.REST: 16, _S.CHARGING: 22, _S.WATER: 28, _S.HOT_MEALS: 9, _S.TOILET: 14,
        _S.FIRST_AID: 0.4, _S.CONSULTATION: 1.5,
    },
    Station.Type.UNION: {
        _S.REST: 12, _S.CHARGING: 15, _S.WATER: 18, _S.HOT_MEALS: 6, _S.TOILET: 9,
        _S.FIRST_AID: 0.3, _S.CONSULTATION: 3,
    },
    Station.Type.NURSING: {_S.REST: 5, _S.WATER: 4, _S.TOILET: 3, _S.CONSULTATION: 0.5},
    Station.Type.WELLBEING: {_S.REST: 2, _S.WATER: 3, _S.CONSULTATION: 4},
}  # fmt: skip
TALLY_DAYS = 365  # tallies for each day of the last year the station was open
TALLY_SEED = 20260113


def daily_visits(station_type: str, day, rng: random.Random) -> dict[str, int]:
    """A station's counts for one day: fewer at weekends (except outdoors, where riders
    work), more water in summer and more hot meals in winter, and some noise."""
    weekend = day.weekday() >= 5
    counts = {}
    for service, mean in DAILY_VISITS[station_type].items():
        factor = 1.0
        if weekend:
            factor *= 1.1 if station_type == Station.Type.OUTDOOR else 0.5
        if service == _S.WATER and day.month in (6, 7, 8):
            factor *= 1.6
        if service == _S.HOT_MEALS and day.month in (12, 1, 2):
            factor *= 1.5
        counts[service] = max(0, round(rng.gauss(mean * factor, mean * factor * 0.3 + 0.5)))
    return counts


def id_number(born: str, region: str, sex: str, rng: random.Random) -> str:
    """An 18-character national ID number with a valid GB 11643 check character."""
    seq = rng.randrange(0, 999, 2) + (1 if sex == "M" else 0)  # odd for men, even for women
    first_17 = f"{region}{born}{seq:03d}"
    return first_17 + ric.calc_check_digit(first_17 + "0")  # the last character is ignored


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(prefix: str, rng: random.Random) -> str:
    """A unified social credit code (GB 32100) whose organisation code (GB 11714) and
    final check character are both valid."""
    body = f"{rng.randrange(10**7, 10**8)}"
    remainder = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    first_17 = f"{prefix}{body}{org_check}"
    return first_17 + uscc.calc_check_digit(first_17)


_MOBILE_PREFIXES = (
    "130 131 133 135 136 137 138 139 150 151 152 155 157 158 159 166 173 177 180 181 183 185 "
    "186 187 188 189 191 199"
).split()


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def payment_reference(method: str, rng: random.Random) -> str:
    if method == BANK:
        return f"网银回单 {rng.randrange(10**11, 10**12)}"
    if method == WECHAT:
        return f"微信转账单号 10000{rng.randrange(10**17, 10**18)}"
    if method == ALIPAY:
        return f"支付宝交易号 2088{rng.randrange(10**15, 10**16)}"
    return f"收条 {rng.randrange(1000, 9999)}"


def yuan(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))


# --- claim items (R7), minimum wages and the evidence checklist (R8) --------------------

# Monthly minimum wages by district: (amount, in force from). Plausible Hubei tiers for
# the demo (the second tier for the city districts, the third for the counties), not
# the published figures; an older row shows the history.
MINIMUM_WAGES = {
    "曾都区": [("1800.00", "2021-09-01"), ("1950.00", "2025-01-01")],
    "随州高新区": [("1800.00", "2021-09-01"), ("1950.00", "2025-01-01")],
    "随县": [("1650.00", "2021-09-01"), ("1800.00", "2025-01-01")],
    "广水市": [("1650.00", "2021-09-01"), ("1800.00", "2025-01-01")],
}

CLAIM_DESCRIPTION = "拖欠的劳动报酬"  # a claim not split into items is one item of wages

# How the employer answered the checklist once a dispute is investigated:
# (kind, status, day, note). Lines a dispute's checklist lacks are skipped.
EVIDENCE_ANSWERS = [
    ("pay_slips", "requested", 1, "书面通知对方提供近一年工资支付记录"),
    ("pay_slips", "received", 4, "对方提供工资发放明细"),
    ("platform_income", "received", 4, "平台导出骑手/司机接单及收入明细"),
    ("attendance", "refused", 5, "对方称未保存考勤记录"),
    ("contract", "requested", 1, ""),
]
