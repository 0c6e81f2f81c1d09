"""Profiles as people use them: editing every section, bad input, completeness, public views,
testimonials and identity verification (with forged and unauthorised clicks)."""

from __future__ import annotations

import pytest

from bot.conversations.flow import RUN_COMMAND
from bot.conversations.harness import Harness
from bot.core.actions import Action
from bot.core.events import AttachmentIn, Click
from tests.conftest import MODAL_PLATFORM
from tests.flows.signup_steps import sign_up

PNG = AttachmentIn("me.png", "image/png", b"\x89PNG fake image bytes")
PDF = AttachmentIn("passport.pdf", "application/pdf", b"%PDF-1.4 fake")


async def edit(user: Harness, section: str) -> None:
    await user.send("/edit_profile")
    await user.click(section)


async def forge(user: Harness, action: Action) -> None:
    """A correctly signed click the user was never shown (a valid signature proves origin, not right)."""
    await user.deliver(Click(user.engine.codec.pack(action)))


async def test_an_empty_profile_suggests_what_to_add_first(alice: Harness) -> None:
    await sign_up(alice)
    await alice.send("/profile")
    text = alice.screen.plain
    assert "Alice Martin (@alice)" in text
    assert "Profile completeness: 0%" in text
    assert "Next: Add a professional title — +10%" in text
    assert "Identity: not verified" in text
    labels = [b.label for b in alice.screen.all_buttons()]
    assert labels == ["✏️ Edit profile", "🪪 Verify identity", "⬅️ Main menu"]


async def test_title_and_overview_show_html_and_newlines_literally(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Title and overview")
    await alice.submit({"title": "<b>Senior</b> Python & Go dev", "about": "I build <i>APIs</i>.\nFast & tested."})
    assert "✅ Title and overview saved." in alice.screen.plain
    assert "Profile completeness: 25%" in alice.screen.plain
    await alice.click("Done")
    assert "<b>Senior</b> Python & Go dev" in alice.screen.plain
    assert "I build <i>APIs</i>.\nFast & tested." in alice.screen.plain
    assert "&lt;b&gt;Senior" in alice.screen.text  # escaped in the markup, so it is not bold
    assert "Next: Add your skills — +15%" in alice.screen.plain


@pytest.mark.parametrize(
    ("title", "complaint"),
    [
        ("x" * 71, "at most 70 characters, and you sent 71"),
        ("Dev\x07eloper", "invisible character U+0007"),
        ("Dev \u202eloper", "invisible character U+202E"),
    ],
)
async def test_bad_titles_are_refused(alice: Harness, title: str, complaint: str) -> None:
    await sign_up(alice)
    await edit(alice, "Title and overview")
    await alice.send(title)
    assert complaint in alice.screen.plain
    assert "Title and overview · 1/2" in alice.screen.plain


async def test_an_overview_over_4000_characters_is_refused(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Title and overview")
    await alice.send("Python developer")
    await alice.send("word " * 801)
    assert "at most 4000 characters" in alice.screen.plain


async def test_skills_are_normalised_suggested_and_capped_at_15(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Skills")
    await alice.send("js, react.js")
    assert "✅ Added: JavaScript, React." in alice.screen.plain
    await alice.send("pythn")
    assert "I don't know the skill “pythn”. Did you mean: Python, PyTorch?" in alice.screen.plain
    await alice.click("➕ Python")
    assert "Added: Python." in alice.screen.plain
    assert "Skills (3 of 15)" in alice.screen.plain
    await alice.send("Python")
    assert "You already list that." in alice.screen.plain
    await alice.send("Quantum basket weaving")
    assert "Try a more common name" in alice.screen.plain

    await alice.send("Django, Flask, SQL, PostgreSQL, Docker, Git, Linux, HTML, CSS, TypeScript, Node.js, Vue.js")
    assert "Skills (15 of 15)" in alice.screen.plain
    await alice.send("Kotlin")
    assert "at most 15 skills, and you have 15" in alice.screen.plain
    await alice.click("✖ Python")
    assert "Removed: Python." in alice.screen.plain
    assert "Skills (14 of 15)" in alice.screen.plain


async def test_categories_toggle_and_stop_at_three(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Categories")
    for name in ("Writing", "Translation", "Legal"):
        await alice.click(name)
    assert "✅ Legal" in [o.label for o in alice.screen.choice.options]
    await alice.click("Admin Support")
    assert "at most 3 categories" in alice.screen.plain
    await alice.click("✅ Legal")
    await alice.click("Admin Support")
    options = [o.label for o in alice.screen.choice.options]
    assert "✅ Admin Support" in options
    assert "Legal" in options


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("1000", "at most $999"),
        ("0", "at least $1"),
        ("-20", "not an amount in dollars"),
        ("twenty", "not an amount in dollars"),
        ("45 EUR", "not an amount in dollars"),
    ],
)
async def test_absurd_hourly_rates_are_refused(alice: Harness, typed: str, complaint: str) -> None:
    await sign_up(alice)
    await edit(alice, "Hourly rate")
    await alice.send(typed)
    assert complaint in alice.screen.plain
    assert "Hourly rate</b>" in alice.screen.text or "Hourly rate (now: not set)" in alice.screen.plain


async def test_rate_and_availability(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Hourly rate")
    await alice.send("$62.50")
    assert "Hourly rate saved: $62.50/h" in alice.screen.plain
    await alice.click("Availability")
    await alice.send("100")
    assert "from 1 to 80" in alice.screen.plain
    await alice.send("30")
    assert "Hours per week: 30" in alice.screen.plain
    await alice.click("Contract-to-hire")
    assert "Open to contract-to-hire: yes" in alice.screen.plain
    await alice.send("/profile")
    assert "$62.50/h · 30 h/week · open to contract-to-hire" in alice.screen.plain


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.com/cv.pdf",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "https://",
        "http://localhost",
        "https://user@evil.example.com",
        "https://exa mple.com",
    ],
)
async def test_portfolio_refuses_links_that_are_not_web_pages(alice: Harness, url: str) -> None:
    await sign_up(alice)
    await edit(alice, "Portfolio")
    await alice.click("Add a link")
    await alice.send("My work")
    await alice.send(url)
    assert "Portfolio link · 2/2" in alice.screen.plain
    assert "⚠️" in alice.screen.plain


async def test_portfolio_links_add_remove_and_stop_at_ten(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Portfolio")
    await alice.click("Add a link")
    await alice.send("Shop <redesign>")
    await alice.send("example.com/shop")
    assert "✅ Link added." in alice.screen.plain
    assert "Shop <redesign>: https://example.com/shop" in alice.screen.plain
    for number in range(2, 11):
        await alice.click("Add a link")
        await alice.submit({"title": f"Work {number}", "url": f"https://example.com/{number}"})
    assert "Portfolio (10 of 10)" in alice.screen.plain
    assert "Add a link" not in [b.label for b in alice.screen.all_buttons()]
    await alice.click("✖ Work 7")
    assert "Link removed." in alice.screen.plain
    assert "Work 7" not in alice.screen.plain


async def test_removing_someone_elses_portfolio_link_by_a_forged_click_changes_nothing(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Portfolio")
    await alice.click("Add a link")
    await alice.submit({"title": "Alice's site", "url": "https://alice.example.com"})
    bob = alice.user("bob")
    await sign_up(bob, username="bob", full_name="Bob Stone")
    await edit(bob, "Portfolio")
    screen_seq = bob.find_action("Add a link").args[0]
    await forge(bob, Action("c", (screen_seq, "rm:1")))  # alice's link is id 1
    assert "That link isn't in your portfolio." in bob.screen.plain
    await bob.send("/profile @alice")
    assert "Alice's site: https://alice.example.com" in bob.screen.plain


async def test_work_history_with_year_checks(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Work history")
    await alice.click("Add a position")
    await alice.send("Acme")
    await alice.send("Backend developer")
    await alice.send("19")
    assert "four digits" in alice.screen.plain
    await alice.send("2031")
    assert "between 1950 and 2026" in alice.screen.plain
    await alice.send("2018")
    await alice.send("2015")
    assert "can't be before the start year (2018)" in alice.screen.plain
    assert "A position you held · 4/4" in alice.screen.plain
    await alice.send("2021")
    assert "✅ Position added." in alice.screen.plain
    await alice.click("Add a position")
    await alice.submit({"company": "Globex", "role": "Lead", "start": "2021", "end": "-"})
    text = alice.screen.plain
    assert text.index("Lead at Globex (2021–present)") < text.index("Backend developer at Acme (2018–2021)")
    await alice.click("✖ Lead")
    assert "Entry removed." in alice.screen.plain
    assert "Globex" not in alice.screen.plain


async def test_languages_with_levels(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Languages")
    await alice.click("French")
    await alice.click("native or bilingual")
    assert "French (native or bilingual)" in [o.label for o in alice.screen.choice.options]
    await alice.click("English")
    await alice.click("fluent")
    await alice.click("French (native")
    await alice.click("Remove")
    await alice.send("/profile")
    assert "Languages: English (fluent)" in alice.screen.plain


async def test_photo_upload_type_check_and_profile_attachment(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Photo")
    await alice.deliver(PDF)
    assert "Please send a photo: a JPEG, PNG or WebP image." in alice.screen.plain
    await alice.deliver(AttachmentIn("empty.png", "image/png", b""))
    assert "That file is empty." in alice.screen.plain
    await alice.deliver(PNG)
    assert "✅ Photo saved." in alice.screen.plain
    await alice.send("/profile @alice")
    assert [a.filename for a in alice.screen.attachments] == ["me.png"]
    await edit(alice, "Photo")
    await alice.click("Remove my photo")
    await alice.send("/profile")
    assert alice.screen.attachments == ()


async def test_a_full_profile_reaches_100_percent(make_app) -> None:
    app = await make_app(admins=["ann"])
    alice = Harness(app.engine, "alice")
    ann = alice.user("ann")
    await sign_up(ann, "client", username="ann", full_name="Ann Admin")
    await sign_up(alice)
    await edit(alice, "Title and overview")
    await alice.submit({"title": "Python developer", "about": "APIs."})
    for section, answer in (("Skills", "Python"), ("Hourly rate", "40"), ("Availability", "20")):
        await alice.send("/edit_profile")
        await alice.click(section)
        await alice.send(answer)
    await edit(alice, "Categories")
    await alice.click("Web, Mobile")
    await edit(alice, "Portfolio")
    await alice.click("Add a link")
    await alice.submit({"title": "Site", "url": "https://example.com"})
    await edit(alice, "Work history")
    await alice.click("Add a position")
    await alice.submit({"company": "Acme", "role": "Dev", "start": "2020", "end": ""})
    await edit(alice, "Languages")
    await alice.click("English")
    await alice.click("fluent")
    await edit(alice, "Photo")
    await alice.deliver(PNG)
    await alice.send("/profile")
    assert "Profile completeness: 95%" in alice.screen.plain
    assert "Next: Verify your identity — +5%" in alice.screen.plain
    await alice.send("/verify")
    await alice.deliver(PDF)
    await ann.click("Approve", on=ann.screens[-1])
    await alice.send("/profile")
    assert "Profile completeness: 100%" in alice.screen.plain
    assert "Next:" not in alice.screen.plain


async def test_identity_verification_goes_to_admins_and_only_they_decide(make_app) -> None:
    app = await make_app(admins=["ann"])
    alice = Harness(app.engine, "alice")
    ann, bob = alice.user("ann"), alice.user("bob")
    await sign_up(ann, "client", username="ann", full_name="Ann Admin")
    await sign_up(bob, "client", username="bob", full_name="Bob Stone")
    await sign_up(alice)
    await alice.send("/verify")
    assert "Verify your identity" in alice.screen.plain
    await alice.send("here you go")
    assert "Please send the document as a photo or a file." in alice.screen.plain
    await alice.deliver(AttachmentIn("id.txt", "text/plain", b"hello"))
    assert "Please send a JPEG, PNG or PDF." in alice.screen.plain
    await alice.deliver(PDF)
    assert "under review" in alice.screen.plain
    request = ann.screen
    assert "@alice (Alice Martin) sent an identity document for review." in request.plain
    assert [a.filename for a in request.attachments] == ["passport.pdf"]
    assert bob.screen.name != "verification.review"

    await bob.send("/profile @alice")
    assert "Identity" not in bob.screen.plain  # pending is private
    approve = ann.find_action("Approve", request)
    await forge(bob, approve)  # a non-admin pressing the admin's button
    assert "Only gigbot admins can review identity documents." in bob.screen.plain
    await bob.send(f"/review_identity reject {approve.args[2]}")
    assert "Only gigbot admins" in bob.screen.plain

    await ann.click("Approve", on=request)
    assert "Done: @alice is now verified." in ann.screen.plain
    assert "Your identity is verified" in alice.screen.plain
    await ann.click("Reject", on=request)
    assert "already reviewed: @alice is verified ✅" in ann.screen.plain
    await bob.send("/profile @alice")
    assert "Identity: verified ✅" in bob.screen.plain
    await alice.send("/verify")
    assert "Your identity is verified ✅." in alice.screen.plain


async def test_a_rejected_verification_can_be_tried_again(make_app) -> None:
    app = await make_app(admins=["ann"])
    alice = Harness(app.engine, "alice")
    ann = alice.user("ann")
    await sign_up(ann, "client", username="ann", full_name="Ann Admin")
    await sign_up(alice)
    await alice.send("/verify")
    await alice.deliver(PNG)
    await ann.click("Reject")
    assert "Done: @alice was rejected." in ann.screen.plain
    assert "couldn't verify your identity" in alice.screen.plain
    await alice.send("/profile")
    assert "Identity: rejected" in alice.screen.plain
    await alice.send("/verify")
    await alice.deliver(PDF)
    assert "sent an identity document" in ann.screen.plain


async def test_verification_is_for_freelancers(alice: Harness) -> None:
    await sign_up(alice, "client")
    await alice.send("/verify")
    assert "Identity verification is for freelancer profiles." in alice.screen.plain


async def test_testimonial_request_written_by_another_user(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Testimonials")
    await alice.click("Ask a past client")
    await alice.submit({"client_name": "Carol <Corp>", "project": "Online shop"})
    assert "Forward this to Carol <Corp>" in alice.screen.plain
    token = alice.screen.plain.split("/testimonial ")[1].split()[0]
    assert "• Carol <Corp>, Online shop: waiting" in alice.screen.plain

    await alice.send(f"/testimonial {token}")
    assert "You can't write a testimonial for yourself" in alice.screen.plain

    carol = alice.user("carol")
    await carol.send(f"/start testimonial-{token}")  # the Telegram deep link, before signing up
    assert "Welcome to gigbot" in carol.screen.plain
    await sign_up(carol, "client", username="carol", full_name="Carol Jones")
    # the link is remembered through sign-up: the request opens as soon as the account exists
    assert "Your account is ready, Carol Jones" in carol.screens[-2].plain
    assert "Alice Martin asked you (as Carol <Corp>) for a testimonial about “Online shop”" in carol.screen.plain
    await carol.send("Great work & <fast>!")
    assert "Thank you! Your testimonial is on Alice Martin's profile." in carol.screen.plain
    assert "Carol Jones wrote your testimonial for “Online shop”" in alice.screen.plain

    await carol.send(f"/testimonial {token}")
    assert "already been answered" in carol.screen.plain
    await carol.send("/testimonial nope")
    assert "That testimonial link isn't valid" in carol.screen.plain
    await carol.send("/profile @alice")
    assert "“Great work & <fast>!” — Carol <Corp>, Online shop" in carol.screen.plain


async def test_a_testimonial_can_be_declined(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Testimonials")
    await alice.click("Ask a past client")
    await alice.submit({"client_name": "Dan", "project": "Logo"})
    token = alice.screen.plain.split("/testimonial ")[1].split()[0]
    dan = alice.user("dan")
    await sign_up(dan, "client", username="dan", full_name="Dan Brown")
    await dan.send(f"/testimonial {token}")
    await dan.click("Decline")
    assert "Dan Brown declined to write a testimonial for “Logo”." in alice.screen.plain
    await edit(alice, "Testimonials")
    assert "Dan, Logo: declined" in alice.screen.plain


async def test_client_profile_with_sandbox_payment_verification(alice: Harness) -> None:
    await sign_up(alice, "client")
    await alice.send("/profile")
    text = alice.screen.plain
    assert "Country: France" in text
    assert "Payment method not verified" in text
    assert "0 jobs posted" in text
    assert "0 hires" in text
    assert "hire rate" not in text
    assert "Total spent: $0" in text
    assert "Rating: no reviews yet" in text
    assert "Profile completeness" not in text
    await alice.click("Verify payment method")
    assert "This is a sandbox check" in alice.screen.plain
    assert "Payment method verified ✅ (sandbox)" in alice.screen.plain
    await edit(alice, "Company name")
    await alice.send("Acme <Ltd>")
    assert "Company name saved" in alice.screen.plain
    await alice.send("/profile")
    assert "Company: Acme <Ltd>" in alice.screen.plain


async def test_a_client_cannot_reach_freelancer_sections_by_a_forged_click(alice: Harness) -> None:
    await sign_up(alice, "client")
    await alice.send("/edit_profile")
    assert [o.label for o in alice.screen.choice.options] == ["🏢 Company name"]
    seq = alice.find_action("Company name").args[0]
    await forge(alice, Action("c", (seq, "skills")))
    assert "That option is no longer available here." in alice.screen.plain


async def test_both_roles_show_both_halves(alice: Harness) -> None:
    await sign_up(alice, "Both")
    await alice.send("/profile")
    assert "Profile completeness" in alice.screen.plain
    assert "Payment method not verified" in alice.screen.plain


async def test_public_profiles_of_others_unknown_and_private_bits(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Hourly rate")
    await alice.send("50")
    bob = alice.user("bob")
    await sign_up(bob, "client", username="bob", full_name="Bob Stone")
    await bob.send("/profile @Alice")
    text = bob.screen.plain
    assert "Alice Martin (@alice)" in text
    assert "$50/h" in text
    assert "completeness" not in text
    assert "Identity" not in text
    assert "Edit profile" not in [b.label for b in bob.screen.all_buttons()]
    await bob.send("/profile @nobody_here")
    assert "There is nobody called @nobody_here on gigbot." in bob.screen.plain
    await bob.send("/profile @<script>")
    assert "There is nobody called @<script> on gigbot." in bob.screen.plain


async def test_the_profile_buttons_work_as_commands(alice: Harness) -> None:
    await sign_up(alice)
    await alice.deliver(Click(alice.engine.codec.pack(Action(RUN_COMMAND, ("profile",)))))
    assert alice.screen.name == "profile.own"


async def test_editing_the_title_and_overview_shows_them_and_a_dot_keeps_them(alice: Harness) -> None:
    await sign_up(alice)
    await edit(alice, "Title and overview")
    await alice.submit({"title": "Python developer", "about": "I build <APIs>."})
    await edit(alice, "Title and overview")
    assert "Now: Python developer\nSend . to keep it." in alice.screen.plain
    await alice.send(".")
    assert "Now: I build <APIs>." in alice.screen.plain
    await alice.send("I build APIs and teach.")
    assert "✅ Title and overview saved." in alice.screen.plain
    await alice.send("/profile")
    assert "Python developer" in alice.screen.plain
    assert "I build APIs and teach." in alice.screen.plain


async def test_on_a_modal_platform_the_form_comes_filled_in(alice: Harness) -> None:
    modal = alice.user("mona", platform=MODAL_PLATFORM)
    await sign_up(modal, username="mona")
    await edit(modal, "Title and overview")
    await modal.submit({"title": "Python developer", "about": "APIs."})
    await edit(modal, "Title and overview")
    form = modal.screen.form
    assert form is not None
    assert [(field.name, field.default) for field in form.fields] == [("title", "Python developer"), ("about", "APIs.")]
