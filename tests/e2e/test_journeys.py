"""What a person does in a real browser: four journeys, each page checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

Check = Callable[[Page, str], None]


def _start(page: Page, server: str, age: str, sex: str, check: Check | None = None) -> None:
    page.goto(server + "/")
    if check:
        check(page, "start")
    page.fill("#age", age)
    page.check(f"input[name=sex][value={sex}]")
    page.check("#consent")
    page.click("button:has-text('Start')")
    expect(page).to_have_url(re.compile(r"/a/[A-Za-z0-9_-]+/map$"))


def _mark(page: Page, *marks: str) -> None:
    for mark in marks:
        symptom = mark.split(":")[0]
        page.click(f"fieldset[data-symptom={symptom}] rect[data-mark='{mark}']")
        expect(page.locator(f"fieldset[data-symptom={symptom}] rect[data-mark='{mark}']")).to_have_attribute(
            "aria-checked", "true"
        )


def _answer_until_result(page: Page, yes: set[str], limit: int = 30) -> int:
    """Tick the findings in ``yes`` on each screen; answer No to single questions not in ``yes``."""
    screens = 0
    while "/result" not in page.url and screens < limit:
        question_id = page.locator("input[name=question_id]").get_attribute("value")
        if page.locator("input[name=answer]").count():
            choice = "present" if question_id in yes else "absent"
            page.check(f"input[name=answer][value={choice}]")
        else:
            for box in page.locator("input[name=present]").all():
                if box.get_attribute("value") in yes:
                    box.check()
        page.click("button.primary")
        screens += 1
    return screens


def test_sciatica_journey_from_body_map_to_results(page: Page, server: str, check: Check) -> None:
    _start(page, server, "38", "male", check)
    _mark(page, "pain:low_back:centre", "pain:buttock:left", "pain:back_thigh:left", "pain:calf:left")
    _mark(page, "numbness:top_of_foot:left", "numbness:big_toe:left")
    check(page, "body_map")
    page.click("button:has-text('Continue')")
    check(page, "question_red_flags")
    yes = {
        "pain_shooting",
        "leg_pain_worse_than_back",
        "worse_sitting",
        "worse_cough_sneeze",
        "onset_sudden",
        "duration_under_6_weeks",
        "heavy_lifting",
    }
    _answer_until_result(page, yes)
    expect(page).to_have_url(re.compile(r"/result$"))
    check(page, "result_sciatica")
    causes = page.locator("ol.causes h3").all_inner_texts()[:3]
    assert any("L5" in c or "slipped disc" in c for c in causes), causes
    page.locator("details:has-text('Why this result?')").first.click()
    expect(page.locator("details[open]").first).to_contain_text("you said yes")
    page.click("text=See your personal care plan")
    expect(page).to_have_url(re.compile(r"/plan/about-you$"))
    check(page, "about_you")
    page.fill("#height_cm", "178")
    page.fill("#weight_kg", "92")
    page.check("input[name=stomach_ulcer_or_bleed]")
    page.check("input[name=work][value=sitting]")
    page.click("button:has-text('See my care plan')")
    expect(page).to_have_url(re.compile(r"/plan$"))
    expect(page.locator(".tag.blocked").first).to_be_visible()
    expect(page.locator(".exercise-card[open] img").first).to_be_visible()
    check(page, "care_plan")


def test_cauda_equina_journey_ends_on_the_emergency_banner(page: Page, server: str, check: Check) -> None:
    _start(page, server, "44", "female")
    _mark(page, "pain:low_back:centre", "pain:back_thigh:left", "pain:back_thigh:right")
    page.click("button:has-text('Continue')")
    # The first screen is the cauda equina screen: tick saddle numbness and bladder trouble.
    page.check("input[name=present][value=saddle_numbness]")
    page.check("input[name=present][value=bladder_difficulty]")
    page.click("button.primary")
    _answer_until_result(page, set(), limit=5)
    if "/result" not in page.url:
        banner = page.locator("section.banner.danger")
        expect(banner).to_contain_text("Go to an emergency department now")
        check(page, "question_with_emergency_banner")
        page.click("text=Stop and see what to do")
    expect(page).to_have_url(re.compile(r"/result$"))
    banner = page.locator("section.banner")
    expect(banner).to_contain_text("Go to an emergency department now")
    expect(banner).to_contain_text("999")
    assert banner.get_attribute("role") == "alert"
    check(page, "result_emergency")


def test_keyboard_only_journey(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand link
    page.focus("#age")
    page.keyboard.type("52")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # first sex radio (female)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # consent
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Start
    expect(page).to_have_url(re.compile(r"/map$"))
    region = page.locator("fieldset[data-symptom=pain] rect[data-mark='pain:outer_hip:left']")
    region.focus()
    page.keyboard.press("Space")
    expect(region).to_have_attribute("aria-checked", "true")
    page.keyboard.press("Enter")  # toggles again
    expect(region).to_have_attribute("aria-checked", "false")
    page.keyboard.press("Space")
    page.focus("button:has-text('Continue')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/q$"))
    for _ in range(30):
        if "/result" in page.url:
            break
        if page.locator("input[name=answer]").count():
            page.focus("input[name=answer][value=unknown]")
            page.keyboard.press("Space")
        page.focus("button.primary")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.locator("ol.causes")).to_be_visible()


def test_reload_mid_interview_resumes_where_it_was(page: Page, server: str) -> None:
    _start(page, server, "67", "female")
    _mark(page, "pain:groin:right")
    page.click("button:has-text('Continue')")
    for _ in range(3):
        page.click("button.primary")
    heading = page.locator("legend h1").inner_text()
    number = page.locator(".progress-wrap p").inner_text()
    assert "Question 4" in number
    page.reload()
    assert page.locator("legend h1").inner_text() == heading
    assert page.locator(".progress-wrap p").inner_text() == number
    resume = page.url
    other = page.context.new_page()
    other.goto(resume)
    assert other.locator(".progress-wrap p").inner_text() == number
    other.close()
    page.click("button:has-text('Back')")
    expect(page.locator(".progress-wrap p")).to_contain_text("Question 3")
    assert resume.endswith("/q")
    page.goto(resume.removesuffix("/q") + "/map")  # not str.replace: a token may start with "q"
    expect(page.locator("input[value='pain:groin:right']")).to_be_checked()


def test_error_deleted_and_validation_pages_are_accessible(page: Page, server: str, check: Check) -> None:
    page.goto(server + "/")
    page.click("button:has-text('Start')")  # nothing filled in
    expect(page.locator(".errors")).to_contain_text("Please enter your age")
    check(page, "start_with_errors")
    page.goto(server + "/a/" + "A" * 43 + "/q")
    expect(page.locator("h1")).to_contain_text("could not find")
    check(page, "not_found")
    _start(page, server, "30", "male")
    page.click("button:has-text('Continue')")
    assert page.url.endswith("/q")
    page.goto(page.url.removesuffix("/q") + "/result")
    check(page, "result_self_care_or_consultation")
    page.click("button:has-text('Delete my answers')")
    expect(page.locator("h1")).to_contain_text("deleted")
    check(page, "deleted")
