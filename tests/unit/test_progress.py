import io
import json

from school_detector.core.progress import ERROR, LOG, PROGRESS, RESULT, Reporter, parse_line


def test_parse_each_event_kind():
    ev = parse_line('{"event": "progress", "done": 5, "total": 20, "unit": "tile"}\n')
    assert ev.event == PROGRESS and ev.percent == 25.0
    ev = parse_line('{"event": "result", "data": {"ok": true}}')
    assert ev.event == RESULT and ev.data == {"ok": True}
    ev = parse_line('{"event": "error", "kind": "InputError", "message": "bad"}')
    assert ev.event == ERROR and ev.data["message"] == "bad"
    assert parse_line("   \n") is None


def test_foreign_output_becomes_a_log_line_not_a_crash():
    for text in ("Epoch 1/3", '{"unrelated": 1}', "[1, 2]", '{"event": "nonsense"}'):
        ev = parse_line(text)
        assert ev.event == LOG and ev.data["message"] == text


def test_percent_is_clamped_and_needs_a_total():
    assert parse_line('{"event": "progress", "done": 30, "total": 20}').percent == 100.0
    assert parse_line('{"event": "progress", "done": 3, "total": 0}').percent is None


def test_reporter_jsonl_with_eta(monkeypatch):
    clock = iter([100.0, 102.0, 104.0])
    monkeypatch.setattr("school_detector.core.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    rep = Reporter("jsonl", out, min_interval=0)
    rep.progress(0, 10, unit="tile")
    rep.progress(2, 10, unit="tile")
    rep.progress(4, 10, unit="tile")
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["done"] for x in lines] == [0, 2, 4]
    assert lines[0]["eta_s"] is None
    assert lines[2]["rate"] == 1.0 and lines[2]["eta_s"] == 6.0
    rep.result({"n": 1})
    rep.error("InputError", "bad", "trace")
    tail = [json.loads(x) for x in out.getvalue().splitlines()[-2:]]
    assert tail[0] == {"event": "result", "data": {"n": 1}}
    assert tail[1]["kind"] == "InputError"


def test_reporter_throttles_but_always_sends_the_last_step():
    out = io.StringIO()
    rep = Reporter("jsonl", out, min_interval=60)
    for i in range(1, 101):
        rep.progress(i, 100)
    done = [json.loads(x)["done"] for x in out.getvalue().splitlines()]
    assert done[0] == 1 and done[-1] == 100 and len(done) == 2


def test_text_mode_is_for_humans():
    out = io.StringIO()
    rep = Reporter("text", out, min_interval=0)
    rep.progress(1, 4, unit="batch", message="Predicting")
    rep.log("hello")
    assert "[1/4 batch] Predicting" in out.getvalue() and "info: hello" in out.getvalue()
