"""Demo data for `zhifa demo`: an organisation, a user for every role and a few cases at different stages.

Idempotent: running it twice changes nothing the second time.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.actors import Actor
from engine.clock import CHINA_TZ
from engine.services import cases, definitions, tasks, users
from engine.store.models import HumanTask, User

from .config import processes_dir
from .context import EngineContext

DEMO_PASSWORD = "demo12345"

AGENCIES = [
    ("dongcheng", "东城镇综合行政执法队", "东城综执案", "township"),
    ("xiwan", "西湾街道综合行政执法队", "西湾综执案", "township"),
]

# Demo values, marked 示例 where a real one would be an account or an institution's own detail: an admin of a real
# agency enters its own in 管理与监督 › 机关 (documents are refused until then).
DOCUMENT_SETTINGS = {
    "dongcheng": {"reconsideration_body": "东城县人民政府", "litigation_court": "东城县人民法院",
                  "payment_bank": "示例银行东城支行", "payment_account_name": "东城县财政局非税收入汇缴账户（示例）",
                  "payment_account_number": "0000 0000 0000 0001（示例账号）", "address": "东城镇人民路 1 号",
                  "telephone": "0000-0000000（示例）", "seal_text": "东城镇人民政府（示例印章）"},
    "xiwan": {"reconsideration_body": "东城县人民政府", "litigation_court": "东城县人民法院",
              "payment_bank": "示例银行西湾支行", "payment_account_name": "东城县财政局非税收入汇缴账户（示例）",
              "payment_account_number": "0000 0000 0000 0002（示例账号）", "address": "西湾街道滨江路 2 号",
              "telephone": "0000-0000001（示例）", "seal_text": "西湾街道办事处（示例印章）"},
}

USERS = [
    # username, name, roles, certificate
    ("handler1", "张明", ["handler"], "33010020260001"),
    ("handler2", "李华", ["handler"], "33010020260002"),
    ("reviewer1", "王法审", ["reviewer"], None),
    ("head1", "赵队长", ["head"], None),
    ("admin1", "系统管理员", ["admin"], None),
    ("designer1", "流程设计员", ["designer"], None),
    ("supervisor1", "陈监督", ["supervisor"], None),
]

ACCEPT_REAL_NAME = ("complaint_acceptance", "handler1", {
    "accepted": "yes", "acceptance_note": "属于本机关管辖，予以受理。", "complainant_name": "刘女士",
    "complainant_real_name": "yes", "complainant_contact": "138****6621"})

CASES = [
    {"source": "patrol", "summary": "巡查发现当事人在人民路 88 号门前占用人行道摆摊经营水果。",
     "party_name": "周某某", "party_kind": "person", "party_id_number": "330102198503150010",
     "party_address": "东城镇人民路 90 号", "location": "东城镇人民路 88 号", "steps": []},
    {"source": "hotline_12345", "summary": "12345 热线转来举报：某广告公司未经批准在建设路沿街设置大型户外广告牌。",
     "party_name": "东城星光广告有限公司", "party_kind": "organisation", "party_id_number": "91330100MA2H3X4Y5J",
     "party_address": "东城镇建设路 20 号", "location": "东城镇建设路 12 号", "steps": [
         ACCEPT_REAL_NAME,
         ("lead_check", "handler1", {"findings": "现场核实广告牌约 30 平方米，未取得设置许可。", "recommendation": "file"})]},
    {"source": "complaint", "summary": "居民投诉某工地夜间向河道倾倒建筑垃圾。",
     "party_name": "东城建工集团有限公司", "party_kind": "organisation", "party_id_number": "91330100MA27Q8R9XF",
     "party_address": "东城镇工业园区 3 号", "location": "东城镇滨河路工地", "steps": [
         ACCEPT_REAL_NAME,
         ("lead_check", "handler2", {"findings": "调取监控，确认 11 月 3 日夜间有运输车辆倾倒建筑垃圾。",
                                     "recommendation": "file"}),
         ("filing_approval", "head1", {"approval": "approve", "approval_opinion": "同意立案。"}),
         ("complainant_reply", "handler2", {"reply_content": "您反映的问题已立案调查。", "reply_method": "phone",
                                            "replied_on": "{today}"}),
         ("investigation_assignment", "head1", {"officers": ["handler1", "handler2"],
                                                "assignment_note": "由张明主办，李华协办。"})]},
    {"source": "report", "summary": "匿名举报某餐馆油烟扰民。",
     "party_name": "吴某", "party_kind": "person", "party_id_number": "330102199001010012",
     "party_address": "东城镇文化路 5 号", "location": "东城镇文化路 5 号", "steps": [
         ("complaint_acceptance", "handler1", {"accepted": "yes", "acceptance_note": "予以受理。",
                                               "complainant_real_name": "no"}),
         ("lead_check", "handler1", {"findings": "现场检查，油烟净化设施运行正常，检测达标。", "recommendation": "not_file",
                                     "not_file_reason": "未发现违法事实。"}),
         ("filing_approval", "head1", {"approval": "approve", "approval_opinion": "同意不予立案。"})]},
    {"source": "patrol", "summary": "巡查发现当事人在学校门口流动摊点占道经营，经劝阻后仍未离开。",
     "party_name": "陈某", "party_kind": "person", "party_id_number": "330102197806060018",
     "party_address": "东城镇育才新村 8 幢", "location": "东城镇育才路", "steps": [
         ("lead_check", "handler2", {"findings": "违法事实清楚，当事人承认。", "recommendation": "summary"})]},
]


def load_demo(ctx: EngineContext) -> list[str]:
    out = []
    report = definitions.sync_directory(directory=processes_dir(), uow=ctx.uow(), runner=ctx.runner,
                                        clock=ctx.clock)
    out += [f"deployed {pid} v{version}" for pid, version in report.deployed]
    with ctx.uow() as uow:
        if uow.session.scalar(select(User.id).where(User.username == "handler1")) is not None:
            return out + ["demo data already present"] + _logins()
    system = Actor.system("演示数据")
    agency_ids = [users.create_agency(code=code, name=name, case_prefix=prefix, level=level, uow=ctx.uow(),
                                      document_settings=DOCUMENT_SETTINGS[code])
                  for code, name, prefix, level in AGENCIES]
    valid_until = ctx.clock.now().date().replace(month=12, day=31) + timedelta(days=730)
    for username, name, roles, certificate in USERS:
        users.create_user(username=username, display_name=name, password=DEMO_PASSWORD, roles=roles,
                          agency_id=agency_ids[0], certificate_number=certificate,
                          certificate_valid_until=valid_until if certificate else None, actor=system, **ctx.deps())
    users.create_user(username="xiwan_handler", display_name="西湾承办人", password=DEMO_PASSWORD, roles=["handler"],
                      agency_id=agency_ids[1], certificate_number="33010020269001",
                      certificate_valid_until=valid_until, actor=system, **ctx.deps())
    for sample in CASES:
        _sample_case(ctx, sample)
    return out + [f"demo organisation, {len(USERS) + 1} users and {len(CASES)} sample cases created"] + _logins()


def _sample_case(ctx: EngineContext, sample: dict) -> None:
    data = {key: value for key, value in sample.items() if key != "steps"}
    data["discovered_at"] = (ctx.clock.now() - timedelta(days=2)).isoformat()
    case_id = cases.register_case(data=data, actor=_actor(ctx, "handler1"), **ctx.deps(runner=True))
    today = ctx.clock.now().astimezone(CHINA_TZ).date().isoformat()
    for task_name, username, form_data in sample["steps"]:
        with ctx.uow() as uow:
            task_id = uow.session.scalar(select(HumanTask.id).where(
                HumanTask.case_id == case_id, HumanTask.status == "open", HumanTask.name == task_name))
            values = {key: _resolve(uow.session, value, today) for key, value in form_data.items()}
        tasks.complete_task(task_id=task_id, data=values, actor=_actor(ctx, username), **ctx.deps(runner=True))


def _resolve(session, value, today: str):
    """Demo data names officers by username and dates as {today}."""
    if value == "{today}":
        return today
    if isinstance(value, list):
        return [session.scalar(select(User.id).where(User.username == item)) for item in value]
    return value


def _actor(ctx: EngineContext, username: str) -> Actor:
    with ctx.uow() as uow:
        return Actor.of(uow.session.scalar(select(User).where(User.username == username)))


def _logins() -> list[str]:
    names = ", ".join(username for username, *_ in USERS)
    return [f"demo logins: {names} (password {DEMO_PASSWORD})"]


