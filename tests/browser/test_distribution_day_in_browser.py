"""Distribution day in headless Chromium at phone size (390×844): the camera is a fake
video of a household card's QR code, decoded in the page (jsQR, as Chromium on Linux
has no BarcodeDetector); the team signs on the canvas and records; a double tap records
once; with the connection lost the receipt waits on the phone and is sent when the
connection is back. Also in Arabic (right to left). Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARGS, own_chromium, shot, sign_in

pytestmark = [pytest.mark.browser]


def _y4m_of_qr(text: str, path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    """A few frames of a Y4M video (what Chromium's fake camera plays) showing the QR
    code of `text` in the middle of a white page."""
    import io

    import segno
    from PIL import Image

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=10, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    side = min(size) - 80
    code = code.resize((side, side), Image.NEAREST)
    canvas = Image.new("L", size, 255)
    canvas.paste(code, ((size[0] - side) // 2, (size[1] - side) // 2))
    y = canvas.tobytes()
    chroma = bytes([128]) * ((size[0] // 2) * (size[1] // 2))
    with path.open("wb") as f:
        f.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(10):
            f.write(b"FRAME\n" + y + chroma + chroma)
    return path


@pytest.fixture
def world(transactional_db: Any, live_server: Any) -> Any:
    from sanad.geo.models import AdminUnit
    from sanad.geo.reference import load_admin_units
    from tests.distribution.factories import distribution_world, open_event

    load_admin_units(AdminUnit)  # a transactional test's flush removed them
    w = distribution_world(households=4)
    w.event = open_event(w)
    return w


def _phone(pw_browser: Any, *, locale: str = "en-GB") -> Any:
    context = pw_browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
        permissions=["camera"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _sign(page: Any) -> None:
    """A zigzag drawn with pointer events, as a finger on the phone's screen sends them."""
    page.evaluate(
        """() => {
          const pad = document.querySelector("[data-testid=pad]");
          const r = pad.getBoundingClientRect();
          const at = (type, i) => pad.dispatchEvent(new PointerEvent(type, {
            bubbles: true, cancelable: true, pointerId: 7, pointerType: "touch", isPrimary: true,
            clientX: r.left + 30 + i * 30, clientY: r.top + r.height / 2 + (i % 2 ? 12 : -12)}));
          at("pointerdown", 0);
          for (let i = 1; i < 8; i++) at("pointermove", i);
          at("pointerup", 8);
        }"""
    )


def test_a_card_is_scanned_signed_and_recorded_once_even_offline(
    world, live_server, tmp_path, browser
):
    from sanad.distribution.models import Receipt
    from sanad.registry.cards.pdf import qr_payload
    from tests.factories import PASSWORD

    w, event = world, world.event
    first, second, third = w.households[:3]
    video = _y4m_of_qr(qr_payload(first), tmp_path / "card.y4m")
    args = [
        *ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    day = f"{live_server.url}/distributions/events/{event.public_id}/day/"
    # Playwright's sync API runs an event loop; the ORM is called beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with own_chromium(browser, args) as browser:
        context, page = _phone(browser)
        sign_in(page, live_server.url, w.field.username, PASSWORD)
        page.goto(day)
        assert page.get_by_test_id("day-received").inner_text() == "0"
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "distribution-day-phone-en")

        # 1. Scan: the fake camera shows the first family's card.
        page.get_by_test_id("day-scan").click()
        panel = page.get_by_test_id("day-panel")
        panel.wait_for()
        assert panel.get_attribute("data-verdict") == "ok"
        assert first.registration_id in panel.inner_text()
        _sign(page)
        shot(page, "distribution-day-panel-en")
        page.get_by_test_id("receipt-submit").click()
        done = page.get_by_test_id("day-done")
        done.wait_for()
        assert done.get_attribute("data-kind") == "success"
        assert page.get_by_test_id("day-received").inner_text() == "1"
        shot(page, "distribution-day-recorded-en")
        receipt = Receipt.objects.get(household=first)
        assert receipt.found_by == "qr" and receipt.signature.startswith("data:image/png;base64,")

        # 2. Search, then a double tap on the button: one receipt.
        page.get_by_test_id("day-q").fill(second.registration_id)
        page.get_by_test_id("day-search").click()
        page.get_by_test_id("day-result").first.click()
        page.get_by_test_id("receipt-form").wait_for()
        page.locator("label[for=proof-declared]").click()
        page.get_by_test_id("receipt-submit").dblclick()
        page.get_by_test_id("day-done").wait_for()
        assert Receipt.objects.filter(household=second).count() == 1
        assert page.get_by_test_id("day-received").inner_text() == "2"

        # 3. Offline: the receipt waits on the phone, then goes when the connection is back.
        page.get_by_test_id("day-q").fill(third.registration_id)
        page.get_by_test_id("day-search").click()
        page.get_by_test_id("day-result").first.click()
        page.get_by_test_id("receipt-form").wait_for()
        page.locator("label[for=proof-declared]").click()
        context.set_offline(True)
        page.get_by_test_id("receipt-submit").click()
        page.get_by_test_id("day-done").wait_for()
        assert page.get_by_test_id("day-done").get_attribute("data-kind") == "warning"
        assert page.get_by_test_id("day-queue-count").inner_text() == "1"
        assert not Receipt.objects.filter(household=third).exists()
        shot(page, "distribution-day-offline-en")
        context.set_offline(False)
        page.wait_for_function("() => window.sanadDay.queue().length === 0")
        assert page.get_by_test_id("day-queue").is_hidden()
        assert Receipt.objects.filter(household=third).count() == 1
        assert page.get_by_test_id("day-received").inner_text() == "3"

        # 4. Arabic, right to left, still fits the phone.
        w.field.preferred_language = "ar"
        w.field.save(update_fields=["preferred_language"])
        context.close()
        context, page = _phone(browser, locale="ar-IQ")
        sign_in(page, live_server.url, w.field.username, PASSWORD)
        page.goto(day)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "distribution-day-phone-ar")
        page.get_by_test_id("day-q").fill(first.registration_id)
        page.get_by_test_id("day-search").click()
        page.get_by_test_id("day-result").first.click()
        panel = page.get_by_test_id("day-panel")
        panel.wait_for()
        assert panel.get_attribute("data-verdict") == "already_received"
        shot(page, "distribution-day-refused-ar")
        context.close()
