"""What the simulated citizens of 滨江市 call about, and how each department handles it (fictional)."""

from __future__ import annotations

from dataclasses import dataclass

ESTATES = ["幸福里小区", "锦绣家园", "阳光花园", "和平新村", "书香苑", "金色港湾", "滨江花园", "梧桐雅苑", "东方明珠苑",
           "春晖小区", "学府佳苑", "江南名居"]
ROADS = ["滨湖路", "解放路", "人民路", "建设大道", "江滨路", "学府路", "长江路", "新华街", "文化路", "中山路"]
PLACES = ["菜市场", "地铁站出口", "公交站台", "人民公园", "体育馆", "第一小学", "商业广场", "汽车站"]
TIMES = ["最近一周", "这几天", "半个多月以来", "从上个月开始", "近两个月", "这段时间"]


@dataclass(frozen=True)
class Topic:
    """A kind of request: where it goes, how urgent, and a few ways people say it."""

    department: str  # a department code, or "district" for the district government of the caller's district
    kind: str
    weight: float
    texts: tuple[str, ...]
    urgent_share: float = 0.0
    direct_share: float = 0.0  # answered from the knowledge base on the call


TOPICS: list[Topic] = [
    Topic("housing", "complaint", 6, (
        "{estate}物业{time}不作为，楼道灯坏了没人修，电梯也经常停运，业主多次反映无果。",
        "{estate}开发商逾期交房已经半年，合同约定的违约金也不支付，请住建部门督促。",
        "{road}一处老旧小区改造施工，{time}把路面挖开不回填，老人出行很不方便。")),
    Topic("ecology", "complaint", 7, (
        "{road}{place}旁边的餐馆油烟直排，{time}晚上味道很大，窗户都不敢开。",
        "{estate}附近一家工厂{time}晚上排放刺鼻气体，怀疑偷排废气，请环保部门检查。",
        "{road}的汽修店{time}露天喷漆，气味很重，影响周边居民。")),
    Topic("transport", "complaint", 6, (
        "{road}公交{n}路{time}班次太少，早高峰等车要半个小时，希望增加班次。",
        "出租车司机在{place}拒载，还绕路多收费，车牌号记下了，要求处理。",
        "{road}{place}附近网约车乱停乱放，堵塞交通，希望加强管理。")),
    Topic("education", "consultation", 4, (
        "想咨询一下孩子今年上小学，{estate}属于哪个学区，什么时候报名？",
        "{place}附近有培训机构收费后关门，学费{n}千元无法退还，请教育部门处理。",
        "孩子所在学校{time}要求家长统一购买教辅资料，是否符合规定？"), direct_share=0.25),
    Topic("hrss", "help", 6, (
        "我在{road}一家公司工作，{time}被拖欠工资{n}个月，老板一直推脱，请帮忙讨薪。",
        "想咨询灵活就业人员如何缴纳养老保险，在哪里办理，需要什么材料？",
        "公司没有给员工缴纳社保，离职时也不出具证明，请人社部门查处。"), direct_share=0.2),
    Topic("commerce", "complaint", 3, (
        "{place}的超市预付卡突然不能用了，卡里还有{n}百元，商家联系不上。",
        "{road}新开的商场停车收费标准不公示，出场时多收费。")),
    Topic("health", "complaint", 4, (
        "在市第二人民医院看病，{time}挂号排队时间太长，医生态度也不好。",
        "{estate}附近的诊所无证行医，给老人输液，存在安全隐患。",
        "想咨询新生儿疫苗在哪个社区卫生服务中心接种，需要预约吗？"), direct_share=0.15),
    Topic("urban", "complaint", 7, (
        "{road}{place}门口占道经营，摊贩把人行道全占了，行人只能走机动车道。",
        "{estate}楼下的垃圾{time}没人清运，堆积发臭，苍蝇很多。",
        "{road}路灯坏了好几盏，{time}晚上一片漆黑，存在安全隐患。",
        "{estate}有业主在楼顶私搭乱建，违章建筑影响其他住户。")),
    Topic("market", "report", 5, (
        "在{place}附近的药店买到过期药品，要求市场监管部门查处。",
        "{road}一家餐馆后厨卫生很差，吃完后全家拉肚子。",
        "网购的家电质量有问题，商家拒绝退换货，请求帮助维权。")),
    Topic("water", "help", 5, (
        "{estate}{time}自来水发黄，有异味，不敢饮用，请水务部门检测。",
        "{road}{place}旁边的下水道堵塞，污水漫到路面上。",
        "{estate}停水了，也没有提前通知，什么时候恢复供水？"), urgent_share=0.35),
    Topic("police", "help", 3, (
        "{estate}小区门口{time}晚上有人飙车，噪音很大，请交警查处。",
        "{road}{place}附近电动车被盗，报警后想咨询案件进展。")),
    Topic("fund", "consultation", 3, (
        "想咨询公积金贷款额度怎么计算，二套房首付比例是多少？",
        "离职后公积金怎么提取，需要准备哪些材料？"), direct_share=0.45),
    Topic("civil", "help", 2, (
        "家里老人八十多岁，想咨询高龄补贴怎么申请。",
        "{estate}附近的养老院收费不透明，老人住进去后护理也不到位。"), direct_share=0.2),
    Topic("power", "help", 4, (
        "{estate}{time}频繁停电，家里电器都坏了，请供电公司检修。",
        "{road}的变压器有异响，还冒火花，很危险，请尽快处理。"), urgent_share=0.5),
    Topic("gas", "help", 3, (
        "{estate}楼道里有燃气异味，担心泄漏，请燃气公司马上来查看。",
        "燃气费账单比平时高出很多，怀疑燃气表不准，申请校验。"), urgent_share=0.4),
    Topic("district", "complaint", 8, (
        "{estate}旁边的工地{time}夜间施工，凌晨还在作业，噪音扰民。",
        "{road}{place}附近有商户违规搭建雨棚，占用消防通道。",
        "{estate}小区门口的道路坑洼不平，下雨天积水严重，出行困难。",
        "{estate}小区的物业费上涨没有经过业主大会，请街道协调。")),
]


@dataclass(frozen=True)
class Profile:
    """How a department handles its tickets in the simulation."""

    sign_hours: float  # mean delay from dispatch to signing (normal urgency)
    reply_span: tuple[float, float]  # reply at this fraction of the reply time limit
    misroute: float  # share of its tickets first sent to a wrong department (which returns them)
    dissatisfied: float  # share of follow-ups dissatisfied
    extension: float  # share asking for an extension


DEFAULT_PROFILE = Profile(6, (0.3, 0.95), 0.04, 0.10, 0.05)
PROFILES: dict[str, Profile] = {
    "housing": Profile(14, (0.5, 1.35), 0.08, 0.22, 0.15),
    "ecology": Profile(4, (0.2, 0.8), 0.03, 0.07, 0.05),
    "transport": Profile(8, (0.3, 1.05), 0.05, 0.12, 0.05),
    "education": Profile(3, (0.15, 0.6), 0.02, 0.05, 0.02),
    "urban": Profile(12, (0.45, 1.25), 0.15, 0.2, 0.1),
    "market": Profile(6, (0.3, 0.95), 0.06, 0.1, 0.04),
    "water": Profile(2, (0.1, 0.6), 0.02, 0.06, 0.02),
    "fund": Profile(2, (0.1, 0.45), 0.01, 0.03, 0.01),
    "power": Profile(1.5, (0.1, 0.5), 0.01, 0.05, 0.01),
    "gas": Profile(1, (0.1, 0.5), 0.01, 0.04, 0.01),
    "gov_xishan": Profile(16, (0.55, 1.4), 0.1, 0.25, 0.15),
    "gov_gaoxin": Profile(3, (0.15, 0.65), 0.03, 0.05, 0.03),
    "gov_donghu": Profile(6, (0.3, 0.9), 0.05, 0.1, 0.05),
}
DISTRICT_GOVERNMENTS = {"东湖区": "gov_donghu", "西山区": "gov_xishan", "南湖区": "gov_nanhu",
                        "北城区": "gov_beicheng", "高新区": "gov_gaoxin"}


@dataclass(frozen=True)
class Planted:
    """A burst of calls about one event, planted so /hotspots has something to find."""

    department: str
    district: str
    address: str
    days_before_end: tuple[int, int]  # from, to (days before the end of the history)
    calls: int
    urgency: str
    texts: tuple[str, ...]


PLANTED: list[Planted] = [
    Planted("water", "西山区", "翠湖花园", (5, 2), 26, "urgent", (
        "西山区翠湖花园小区停水一整天了，没有任何通知，什么时候恢复供水？",
        "翠湖花园又停水了，家里老人孩子没水用，请水务部门尽快恢复供水。",
        "我住翠湖花园{n}栋，从早上停水到现在，物业说是管网爆裂，到底什么时候来水？",
        "翠湖花园停水第二天了，送水车也没有，请尽快恢复供水。")),
    Planted("gov_gaoxin", "高新区", "科技园路", (8, 1), 18, "normal", (
        "高新区科技园路工地夜间施工，凌晨两点还在打桩，噪音太大无法入睡。",
        "科技园路那个工地每天晚上施工到凌晨，打桩噪音扰民，请查处夜间施工。",
        "高新区科技园路夜间施工噪音严重，连续好几天晚上都在施工，小孩睡不着。")),
    Planted("gas", "北城区", "红星新村", (3, 0), 12, "urgent", (
        "北城区红星新村{n}号楼道里燃气味很重，担心燃气泄漏，请马上派人检查。",
        "红星新村闻到很浓的燃气味，好几栋楼都有，请燃气公司尽快排查。",
        "红星新村燃气异味两天了，居民都很害怕，要求彻查燃气管道。")),
]
