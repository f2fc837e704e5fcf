"""The duplicate check on stored text signatures: found by index (phone, address, LSH band of the text),
however many tickets came in between, the same in every process, and pruned after the window."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import time_machine

from tests.support.factories import T0

ROOT = Path(__file__).resolve().parents[2]
COMPLAINT = ("西山区枫林路锦绣花园小区东门外的夜宵大排档每天营业到凌晨三点，油烟直接排进三号楼住户家里，"
             "桌椅摆满人行道，喝酒划拳声音很大，老人小孩整夜睡不着，多次打电话给城管都没有人来处理。")
REWORDED = ("枫林路锦绣花园东门外那家夜宵大排档每天营业到凌晨三点，油烟直接排进三号楼住户家里，"
            "桌椅摆满了人行道，喝酒划拳的声音很大，老人孩子整夜睡不着，打了好几次电话城管也没人来处理！")


def _signature_in_subprocess(text: str) -> list[int]:
    code = ("import json,sys; from hotline.supervision.duplicates import text_signature as t; "
            "from hotline.supervision.signature import band_keys as b; print(json.dumps(b(t(sys.argv[1]))))")
    out = subprocess.run([sys.executable, "-c", code, text], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_band_keys_are_the_same_in_every_process():
    from hotline.supervision.duplicates import text_signature
    from hotline.supervision.signature import band_keys, similarity, to_bytes

    mine = band_keys(text_signature(COMPLAINT))
    assert _signature_in_subprocess(COMPLAINT) == mine  # str hashing is salted per process; ours is not
    assert similarity(text_signature(COMPLAINT), [to_bytes(text_signature(COMPLAINT))]) == [1.0]
    unrelated = text_signature("孩子入学的学区划分政策想咨询一下，什么时候公布？")
    assert similarity(text_signature(COMPLAINT), [to_bytes(unrelated)])[0] < 0.05


def test_reworded_request_from_another_caller_and_address_is_found_by_its_text(api):
    with time_machine.travel(T0, tick=False) as clock:
        first = api.create(content=COMPLAINT, district="西山区", address="枫林路1号", caller_phone="13711112222")
        clock.shift(timedelta(days=3))
        again = api.create(content=REWORDED, district="西山区", address="锦绣花园东门", caller_phone="13933334444")
    assert [d["id"] for d in again["duplicates"]] == [first["id"]]
    reason = again["duplicates"][0]["reason"]
    assert "同一区" in reason and "内容相似度" in reason and "同一来电号码" not in reason
    assert again["duplicates"][0]["text_similarity"] > 0.6


def _fill_district(db, n: int, district: str) -> None:
    """n unrelated open tickets received just now in one district (more than any old candidate cap)."""
    from hotline.clock import utcnow
    from hotline.tickets.models import Ticket

    now = utcnow()
    db.add_all([Ticket(status="in_progress", content=f"第{i}号路灯不亮，晚上走路很黑", channel="phone",
                       kind="help", urgency="normal", district=district, received_at=now, updated_at=now,
                       assisting=[], suggestions=[]) for i in range(n)])
    db.commit()


def test_yesterdays_duplicate_is_found_behind_hundreds_of_newer_tickets(app, api):
    from hotline.db import session

    with time_machine.travel(T0, tick=False) as clock:
        first = api.create(content=COMPLAINT, district="西山区", address="枫林路1号", caller_phone="13711112222")
        clock.shift(timedelta(days=1))
        with app.app_context():
            _fill_district(session(), 260, "西山区")
        again = api.create(content=REWORDED, district="西山区", address=None, caller_phone="13933334444")
    assert first["id"] in [d["id"] for d in again["duplicates"]]


def test_intake_stores_the_signature_and_old_ones_are_pruned(app, api):
    from sqlalchemy import func, select

    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.supervision.duplicates import prune
    from hotline.supervision.models import TicketSignature, TicketTextBand
    from hotline.supervision.signature import BANDS

    with time_machine.travel(T0, tick=False):
        tid = api.create(content=COMPLAINT)["id"]
        short = api.create(content="急")["id"]
    with app.app_context():
        db = session()
        rows = dict(db.execute(select(TicketSignature.ticket_id, TicketSignature.minhash)).all())
        assert rows[tid] is not None and rows[short] is None  # too short to compare, but known
        assert db.scalar(select(func.count()).where(TicketTextBand.ticket_id == tid)) == BANDS
        assert prune(db, before=T0 + timedelta(seconds=1)) == 2
        db.commit()
        assert db.scalar(select(func.count()).select_from(TicketTextBand)) == 0
        assert utcnow() > T0


def test_a_ticket_received_before_signatures_existed_is_still_compared(app, api):
    from sqlalchemy import delete

    from hotline.db import session
    from hotline.supervision.models import TicketSignature, TicketTextBand

    with time_machine.travel(T0, tick=False):
        first = api.create(content=COMPLAINT, district="西山区", address="枫林路1号")
        with app.app_context():
            db = session()
            db.execute(delete(TicketTextBand))
            db.execute(delete(TicketSignature))
            db.commit()
        again = api.create(content=REWORDED, district="西山区", address="枫林路1号", caller_phone="13933334444")
    offered = {d["id"]: d for d in again["duplicates"]}
    assert offered[first["id"]]["text_similarity"] > 0.6
