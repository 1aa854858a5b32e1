"""The prose rules: which metric a figure's wording names (label, context, tail), as one ordered table that
transforms/prose.py applies. The first rule that fits a figure wins; `skip` rules stop it from becoming any fact.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    units: str             # regex alternation of the units this metric is counted in
    label: str             # regex searched in the clause label
    context: str = ""      # regex that must also occur in the sentence before the figure
    tail: str = ""         # regex that must match right after the figure (instead of the label; with the context)
    near: bool = False     # the context only since the sentence's previous figure (that one's words are its own)


# A sentence before the figure that speaks of no appeal (行政复议, 诉讼): a rule about disclosure requests only.
_NOT_APPEALS = r"^(?![^。]*(复议|诉讼))"

# Ordered: specific wordings before general ones. `skip` rules stop a figure from becoming any fact.
RULES: tuple[Rule, ...] = (
    Rule("skip", "件|条", r"予以公开(及|和|与)部分公开的?$|撤回$|修订$|自然失效$"),
    # publishing minutes is no meeting held (`公开局长办公会议12次`); satisfaction with other work is not the public's
    Rule("skip", "次", r"^公开[^。，,；;]{0,8}会议"),
    Rule("skip", "%", r"满意", context=r"(建议|提案)[^。]{0,40}满意[^。]*$"),
    # a request already answered by what was published (`其中属于已经主动公开的2件`): an outcome, no category
    Rule("skip", "件|条", r"属于已(经)?主动公开"),
    # a running total of all years (`历年累计52条`), not the year's
    Rule("skip", "条|件", r"历年累计|历年来|累计至今"),
    # `各类咨询、申诉等来信30件`: letters of several kinds together, neither complaints nor consultations alone
    Rule("skip", "件", r"申诉等", context=r"咨询、申诉等"),
    # `督促县直部门…发布信息3044条`: what the body had others do is not its own figure
    Rule("skip", "条|件|次", r"^(督促|指导|推动)[^。，,；;]{0,8}(部门|单位|乡镇|街道)"),
    # sessions of a hotline or an online interview (catalog); a livestream (`直播118场`) is neither
    Rule("hotline.sessions", "次|期|场", r"上线|在线访谈|做客|(访谈|热线)[^。，,；;]{0,6}直播"),
    Rule("proactive.press_conferences", "次|场|条|期", r"发布会|通气会"),
    Rule("proactive.media_reports", "次|篇|条", r"报道"),
    Rule("proactive.reading_point_visits", "人次|人", r"查阅"),
    Rule("proactive.public_reading_points", "个|处", r"查阅点|查阅场所|查阅室|查阅中心"),
    Rule("approval.non_licensing_items", "项", r"非许可"),
    Rule("approval.licensing_items", "项", r"行政许可事项"),
    Rule("approval.service_items", "项", r"行政服务事项"),
    Rule("service_center.area", "平方米", r"面积"),
    Rule("service_center.cases_closed", "件", r"(服务中心|大厅).*办结"),
    Rule("service_center.cases_received", "件", r"(服务中心|大厅).*(办件|受理)"),
    Rule("service_center.windows", "个", r"窗口"),
    # `明确2名兼职工作人员`: the count before the noun (a tail rule, so `1名专职人员和3名兼职人员` reads right).
    Rule("staff.full_time", "人|名", r"", tail=r"^(信息公开|政务公开)?(专职|全职)"),
    Rule("staff.part_time", "人|名", r"", tail=r"^(信息公开|政务公开)?兼职"),
    # `专兼职人员5名`, `专职和兼职人员7名`: both kinds together, which no catalog code counts.
    Rule("skip", "人|名|个", r"兼职", context=r"专职?[、和及与/]?兼职[^，,；;。\d]*$"),
    Rule("staff.full_time", "人|名|个", r"专职|全职"),
    Rule("staff.part_time", "人|名|个", r"兼职"),
    Rule("staff.units", "个", r"专门(工作)?机构"),
    Rule("staff.units", "个", r"", tail=r"^单位[^。]{0,6}开展[^。]{0,6}公开"),
    # The meeting word ends the label, give or take a few words (`召开…工作会议3次`); `常务会议…权威发布38次`
    # and `常务会议同步配套解读7次` count releases, not meetings.
    Rule("meetings.held", "次", r"(?<!每)(会议|专题会|工作会)[^例发解]{0,6}$"),
    Rule("meetings.held", "次", r"", tail=r"^(召开|专题)[^。，,；]{0,12}会议"),
    Rule("training.sessions", "次|期|场", r"培训"),
    # `两次举办政府信息公开工作培训`: the count before the event
    Rule("training.sessions", "次|期|场", r"", tail=r"^(举办|组织|开展)[^。，,；;]{0,16}培训"),
    Rule("training.participants", "人次|人|名", r"培训"),
    Rule("budget.disclosure", "万元|元", r"经费"),
    Rule("satisfaction.rate", "%", r"满意"),
    # the noun before the count (`配备电脑5台`) or right after it (`调配了2台电脑和1台打印机`: 2, not the printer's 1)
    Rule("equipment.computers", "台", r"(电脑|计算机)[^，,；;、和及与]{0,4}$"),
    Rule("equipment.computers", "台", r"", tail=r"^(电脑|计算机)"),
    # the template's fee line written in prose (`行政事业性收费0元`): fees collected, not charged for requests
    Rule("fees.amount", "元|万元", r"行政事业性收费"),
    Rule("requests.fees_charged", "元|万元", r"收取|收费|处理费|费用"),
    Rule("hotline.cases_closed", "件", r"办结|回复", context=r"热线|信箱|电话|12345"),
    Rule("hotline.cases", "件", r"受理|收到|反映|投诉|来电|来信", context=r"热线|信箱|电话|12345"),
    # messages to a mailbox counted in 条 (`收到县长信箱留言51条，回复办理51条`): not items published
    Rule("hotline.cases_closed", "条", r"办结|回复|答复", context=r"信箱|热线"),
    Rule("hotline.cases", "条", r"(收到|受理)[^。，,；;]{0,12}(留言|来信)", context=r"信箱|热线"),
    # messages received with no mailbox or hotline named: no published items, and no code says whose
    Rule("skip", "条", r"(收到|受理)[^。，,；;]{0,8}(留言|来信|信件)"),
    Rule("consultations.total", "件|人次|次", r"咨询|求助|问政|留言"),
    Rule("complaints.total", "件", r"申诉"),
    # The outcome words end the label, perhaps with 答复/的 (`不予公开答复 2件`, `无法提供的 10 件`).
    Rule("requests.partially_granted", "件", r"部分公开(答复)?的?$"),
    Rule("requests.denied", "件", r"(不予公开|不公开|不同意公开)(答复)?的?$"),
    Rule("requests.unavailable", "件", r"无法提供(答复)?的?$"),
    Rule("requests.not_processed", "件", r"不予处理(答复)?的?$"),
    Rule("requests.other", "件", r"其他处理(答复)?的?$"),
    Rule("requests.granted", "件", r"(予以公开|(?<!不)同意公开|全部公开)(答复)?的?$"),
    Rule("requests.unavailable.not_held", "件", r"信息不存在"),
    Rule("requests.not_own_duty", "件", r"非本(行政)?机关|不属于本(行政)?机关"),
    Rule("requests.carried_in", "件", r"上年(度)?结转"),
    # `除4件转结2022年办理`, `103件顺延到下年度答复`: carried out, unless the sentence is about appeals
    Rule("requests.carried_out", "件", r"", context=_NOT_APPEALS,
         tail=r"^(转结|结转|顺延)[至到入]?(下一?年度?|\d{4}年度?)(办理|答复)"),
    Rule("requests.carried_out", "件", r"结转下|转[入至]?下一?年度?(办理|答复)"),
    Rule("requests.carried_out", "项", r"结转下|转[入至]?下一?年度?(办理|答复)", context=r"申请"),
    Rule("requests.handled_total", "件", r"办结|答复", context=r"申请"),
    # `收到…行政复议申请0件`: applications for review are reviews, not disclosure requests.
    Rule("review.total", "件|起|宗", r"行政复议申请"),
    Rule("requests.received", "件|宗",
         r"(收到|受理|接到|接收|接受|新收)[^。]*申请|申请[^。]*(收到|受理)|依申请公开数量"),
    # counted in 条 or 项, only when the label ends with the request itself (`收到申请公开21条`, `共收到依申请公开16项`)
    Rule("requests.received", "条|项",
         r"(收到|受理|接到|接收|接受)[^。，,；;]{0,16}申请(公开)?(政府)?(信息|事项)?$"),
    # the verb before a list of applicants (`受理公民、法人和其他组织…提出的政府信息公开申请5件`)
    Rule("requests.received", "件", r"申请$",
         context=r"(收到|受理|接到|接收|接受)(?![^。，,；;]*(复议|诉讼))[^。，,；;]*申请$"),
    # `处理依申请公开92件,其中,本年度新接收91件`: the new ones of the year's requests (not of appeals)
    Rule("requests.received", "件|宗", r"新(接收|收到|受理)的?$", context=_NOT_APPEALS + r"[^。]*申请"),
    Rule("review.total", "件|起|宗", r"行政复议"),
    Rule("litigation.total", "件|起|宗", r"行政诉讼"),
    # `行政复议7件，诉讼9件`: a bare 诉讼 right after the review figure is the administrative suit.
    Rule("litigation.total", "件|起|宗", r"^(提起)?诉讼$", context=r"行政复议[^。；;]*$"),
    # Issues of a publication: a title in 《》, a publication word or an editing verb (`开展意见征集9期` is none).
    Rule("proactive.gazette_issues", "期", r"《|简报|公报|刊|动态|讯|报|编发|编印|编辑|印发|制作|出版"),
    # `…依申请公开答复内容68条`, `依申请和不予公开政府信息条数0条`: counted in 条, but of requests, not items published
    Rule("skip", "条", r"申请"),
    Rule("proactive.website", "条", r"网站|门户|网上|网页|人民政府网(?![络格])"),
    # `通过部门网站当年发布政府信息393件`, `在门户网站上主动公开信息数量为46件`: items on the site, in 件
    Rule("proactive.website", "件",
         r"(网站|门户网?)[^。，,；;]{0,12}(发布|公开)[^。，,；;]{0,6}(政府信息|信息(数量|总数)为?)$"),
    # the site named earlier in the clause (`在政府网站上，发布信息120条`), not in an earlier figure's words
    # (`包括政府网站35条，在…媒体上发布信息80条`, `门户网站公开信息88条、财政信息2条`)
    Rule("proactive.website", "条", r"发布|公开|更新|采编|信息", context=r"网站|门户网", near=True),
    # `2021年主动公开的各类政府信息数量66件`: the total, in 件
    Rule("proactive.total", "件", r"主动公开[^。，,；;]{0,8}(政府)?信息(数量|总数)?(为|共|共计)?$"),
    # A total says it is one (主动公开, 共, 累计, 全年, 各类): `细化公开…经费信息4条` is one kind among others.
    Rule("proactive.total", "条", r"主动公开|(共|累计|全年|各类|总)[^。]{0,30}(发布|公开|更新|采编)[^。]{0,30}信息"
                                  r"|(发布|公开|更新|采编)[^。]{0,30}各类[^。]{0,30}信息|信息[^。]{0,30}(共|总)"),
)
