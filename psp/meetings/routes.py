"""Meeting pages: thin; rules in services and policy."""

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from psp import httpcache, policy
from psp.auth.models import Person
from psp.cache import for_audience
from psp.documents import services as documents
from psp.documents.models import MEETING
from psp.errors import Refused
from psp.forms import ActionForm, choices, refuse_on
from psp.loaders import me, meeting_or_404, or_404, programme_or_404
from psp.meetings import bp, calendar, services
from psp.meetings import minutes as agreeing
from psp.meetings.forms import (
    ACCEPT,
    AttendanceForm,
    BookingForm,
    CancelMeetingForm,
    CorrectionForm,
    DecideCorrectionForm,
    MeetingForm,
    MinutesForm,
    parse_clock,
)
from psp.meetings.models import ACCESS_NEEDS, BOOKED, NO_MINUTES
from psp.pagination import paginate
from psp.text import render_markdown
from psp.timeutil import london, utcnow

# Lists and calendars ---------------------------------------------------------------

@bp.get("/programmes/<slug>/meetings")
@for_audience
def programme_meetings(slug):
    programme = programme_or_404(slug)
    when = "past" if request.args.get("when") == "past" else "upcoming"
    query = (services.past(current_user, programme) if when == "past"
             else services.upcoming(current_user, programme))
    page = paginate(query, request.args.get("page"))
    return render_template("meetings/list.html", programme=programme, page=page, when=when,
                           counts=services.counts([m.id for m in page.items]))


@bp.get("/programmes/<slug>/meetings.ics")
def feed(slug):
    programme = programme_or_404(slug)
    meetings = services.for_calendar(current_user, programme)
    body = calendar.calendar(meetings, programme.title, name=f"{programme.title}: meetings", stable=True)
    return httpcache.feed(Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{programme.slug}-meetings.ics"'}),
        services.last_changed(programme))


@bp.get("/meetings/<int:meeting_id>.ics")
def ics(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    booking = services.my_booking(current_user, meeting)
    may_link = policy.can_see_online_link(current_user, programme, booking)
    body = calendar.calendar([meeting], programme.title, show_link=lambda m: may_link, stable=True)
    return httpcache.feed(Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"'}), meeting.updated_at)


# One meeting ---------------------------------------------------------------------

def _own_state(person: Person, meeting_id: int) -> str:
    return services.own_state(person, meeting_or_404(person, meeting_id)[1])


@bp.get("/meetings/<int:meeting_id>")
@for_audience(own_state=_own_state)
def show(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    return _show(programme, meeting)


def _show(programme, meeting, form=None, status=200, refusal=None):
    """refusal: why a button on the page (agree) was refused, for the error summary."""
    booking = services.my_booking(current_user, meeting)
    booked, waiting = services.counts([meeting.id])[meeting.id]
    follows = policy.can_see_minutes_agreement(current_user, programme, meeting, booking)
    arising = agreeing.matters_arising(lambda query: services.visible(query, current_user), meeting)
    # No forms (so no CSRF token, no session cookie) for a visitor: a shared cache may keep their page.
    signed_in = policy.is_signed_in(current_user)
    return render_template(
        "meetings/show.html", programme=programme, meeting=meeting, booking=booking,
        position=services.waiting_position(booking), booked=booked, waiting=waiting,
        closed=services.bookable(meeting), form=form or (BookingForm(formdata=None) if signed_in else None),
        cancel_form=ActionForm() if signed_in else None, agenda=render_markdown(meeting.agenda),
        minutes=render_markdown(meeting.minutes) if meeting.minutes_published_at else None,
        draft=render_markdown(meeting.minutes_draft) if follows and meeting.minutes_state != NO_MINUTES
        else None, agreement=agreeing.agreement(meeting), follows=follows, refusal=refusal,
        arising=arising, arising_minutes=render_markdown(arising.meeting.minutes) if arising else None,
        today=agreeing.today(),
        may_link=policy.can_see_online_link(current_user, programme, booking),
        local_start=london(meeting.starts_at), local_end=london(meeting.ends_at),
        local_deadline=london(meeting.booking_deadline) if meeting.booking_deadline else None,
        is_past=meeting.ends_at < utcnow(),
        documents=documents.on(current_user, MEETING, meeting, programme)), status


@bp.post("/meetings/<int:meeting_id>/book")
@login_required
def book(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_book(current_user, programme, meeting))
    form = BookingForm()
    if not form.validate_on_submit():
        return _show(programme, meeting, form, 400)
    try:
        booking, position = services.book(me(), programme, meeting, form.access_needs.data or [],
                                          form.access_other.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _show(programme, meeting, form, 409)
    if booking.status == BOOKED:
        flash("Your place is booked. We have emailed you the details and a calendar file.", "success")
    else:
        flash(f"The meeting is full. You are number {position} on the waiting list: we will email you "
              "if a place becomes free.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


@bp.post("/meetings/<int:meeting_id>/cancel-booking")
@login_required
def cancel_booking(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    booking = services.my_booking(current_user, meeting)
    if booking is None:
        abort(404)  # nothing of theirs to cancel
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel_booking(me(), programme, meeting, booking)
    except Refused as refusal:
        flash(str(refusal))
        return redirect(url_for(".show", meeting_id=meeting.id))
    flash("Your booking is cancelled.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


# Coordinators ----------------------------------------------------------------------

def _stage_choices(programme):
    return choices([("", "No particular stage")]
                   + [(row.id, f"{row.kind.capitalize()}, cycle {row.number}")
                      for row in services.stages_ahead(programme)])


def _meeting_data(form, programme):
    start, end = parse_clock(form.start.data), parse_clock(form.end.data)
    starts_at, ends_at = services.to_utc(form.day.data, start), services.to_utc(form.day.data, end)
    if starts_at is None or ends_at is None:
        field = form.start if starts_at is None else form.end
        field.errors = ["That time does not exist on that day: the clocks go forward an hour"]
        return None
    stage_id = int(form.stage.data) if form.stage.data else None
    return {"title": form.title.data, "agenda": form.agenda.data, "starts_at": starts_at,
            "ends_at": ends_at, "venue": form.venue.data, "access_info": form.access_info.data,
            "online_link": form.online_link.data, "capacity": form.capacity.data,
            "booking_deadline": services.end_of_day_utc(form.deadline.data) if form.deadline.data else None,
            "audience": form.audience.data, "stage_id": stage_id}


def _as_form_data(meeting):
    """A meeting as its form shows it: London times, the deadline as a day."""
    start, end = london(meeting.starts_at), london(meeting.ends_at)
    return {"title": meeting.title, "agenda": meeting.agenda, "stage": str(meeting.stage_id or ""),
            "day": start.date(), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
            "venue": meeting.venue, "access_info": meeting.access_info, "online_link": meeting.online_link,
            "capacity": meeting.capacity, "audience": meeting.audience,
            "deadline": london(meeting.booking_deadline).date() if meeting.booking_deadline else None}


def _saved(form, programme, save):
    """The meeting save(data) returns once the form is valid, or None with the reasons on the form."""
    data = _meeting_data(form, programme) if form.validate_on_submit() else None
    if data is None:
        return None
    try:
        return save(data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return None


def _form_page(programme, form, meeting=None, conflict=None):
    status = 409 if conflict else 400 if form.is_submitted() else 200
    return render_template("meetings/form.html", programme=programme, form=form, meeting=meeting,
                           conflict=conflict), status


@bp.route("/programmes/<slug>/meetings/new", methods=["GET", "POST"])
@login_required
def new(slug):
    programme = programme_or_404(slug)
    policy.require(policy.can_manage_meetings(current_user, programme))
    form = MeetingForm()
    form.stage.choices = _stage_choices(programme)
    meeting = _saved(form, programme, lambda data: services.schedule(me(), programme, data))
    if meeting is None:
        return _form_page(programme, form)
    flash(f"{meeting.title} is scheduled.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    form = MeetingForm(data=None if request.method == "POST" else _as_form_data(meeting))
    form.stage.choices = _stage_choices(programme)
    if meeting.is_cancelled:
        return _form_page(programme, form, meeting, "This meeting was cancelled, so it cannot be changed.")
    if _saved(form, programme, lambda data: services.edit(me(), programme, meeting, data)) is None:
        return _form_page(programme, form, meeting)
    flash("The meeting is changed. Everyone booked or waiting has been emailed.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    form = CancelMeetingForm()
    if form.validate_on_submit():
        try:
            services.cancel_meeting(me(), programme, meeting, form.reason.data)
        except Refused as refusal:
            refuse_on(form, refusal)
        else:
            flash("The meeting is cancelled. Everyone booked or waiting has been emailed.", "success")
            return redirect(url_for(".show", meeting_id=meeting.id))
    status = 400 if form.is_submitted() else 200
    return render_template("meetings/cancel.html", programme=programme, meeting=meeting, form=form), status


@bp.get("/meetings/<int:meeting_id>/bookings")
@login_required
@for_audience
def bookings(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    return render_template("meetings/bookings.html", programme=programme, meeting=meeting,
                           bookings=services.bookings(meeting), needs=ACCESS_NEEDS)


@bp.get("/meetings/<int:meeting_id>/bookings.csv")
@login_required
def bookings_csv(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    return Response(services.bookings_csv(meeting), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}-bookings.csv"'})


@bp.get("/programmes/<slug>/meetings/bookings.csv")
@login_required
def programme_bookings_csv(slug):
    """Every booking of every meeting of the programme in one spreadsheet, streamed."""
    programme = programme_or_404(slug)
    policy.require(policy.can_manage_meetings(current_user, programme))
    return Response(stream_with_context(services.programme_bookings_csv(programme)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{programme.slug}-bookings.csv"'})


def _attendance_page(programme, meeting, form, booked, status, conflict=None):
    return render_template("meetings/attendance.html", programme=programme, meeting=meeting, form=form,
                           booked=booked, conflict=conflict), status


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    booked = services.bookings(meeting, (BOOKED,))
    form = AttendanceForm(data=None if request.method == "POST" else {
        "attended": [str(b.id) for b in booked if b.attended]})
    form.attended.choices = choices((b.id, f"{b.user.name}" + (f", {b.organisation.name}" if b.organisation
                                                               else "")) for b in booked)
    if meeting.starts_at > utcnow():
        return _attendance_page(programme, meeting, form, booked, 409 if request.method == "POST" else 200,
                                "Attendance can be recorded once the meeting has started.")
    if not form.validate_on_submit():
        return _attendance_page(programme, meeting, form, booked, 400 if form.is_submitted() else 200)
    services.record_attendance(me(), meeting, {int(v) for v in form.attended.data or []})
    flash("Attendance saved.", "success")
    return redirect(url_for(".bookings", meeting_id=meeting.id))


# Minutes, agreed by those who came -------------------------------------------------

def _minutes_page(programme, meeting, form, status=200):
    return render_template("meetings/minutes.html", programme=programme, meeting=meeting, form=form,
                           publish_form=ActionForm(), agreement=agreeing.agreement(meeting)), status


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id):
    """Write the draft and send it to the attendees; while it is out, change it."""
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    form = MinutesForm(data=None if request.method == "POST" else {
        "minutes": meeting.minutes_draft or meeting.minutes, "deadline": meeting.minutes_deadline})
    if not form.validate_on_submit():
        return _minutes_page(programme, meeting, form, 400 if form.is_submitted() else 200)
    first = meeting.minutes_state == NO_MINUTES
    try:
        if first:
            agreeing.send_draft(me(), programme, meeting, form.minutes.data, form.deadline.data)
        else:
            agreeing.edit_draft(me(), meeting, form.minutes.data, form.deadline.data)
    except Refused as refusal:
        refuse_on(form, refusal)
        return _minutes_page(programme, meeting, form, 409)
    flash("The draft minutes are sent to everyone who came. We will tell you of each correction."
          if first else "The draft minutes are changed: attendees see this text now.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor="minutes"))


@bp.post("/meetings/<int:meeting_id>/minutes/publish")
@login_required
def publish_minutes(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        agreeing.publish(me(), programme, meeting)
    except Refused as refusal:
        form = MinutesForm(formdata=None, data={"minutes": meeting.minutes_draft or meeting.minutes,
                                                "deadline": meeting.minutes_deadline})
        refuse_on(form, refusal)
        return _minutes_page(programme, meeting, form, 409)
    flash("The agreed minutes are published on the meeting page. Everyone who came has been told.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor="minutes"))


@bp.post("/meetings/<int:meeting_id>/minutes/agree")
@login_required
def agree_minutes(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    booking = services.my_booking(current_user, meeting)
    policy.require(policy.is_attendee(current_user, meeting, booking))
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        agreeing.agree(me(), meeting, or_404(booking))
    except Refused as refusal:
        return _show(programme, meeting, status=409, refusal=str(refusal))
    flash("You agreed the draft minutes. Thank you.", "success")
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor="minutes"))


@bp.route("/meetings/<int:meeting_id>/minutes/correction", methods=["GET", "POST"])
@login_required
def suggest_correction(meeting_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    booking = services.my_booking(current_user, meeting)
    policy.require(policy.is_attendee(current_user, meeting, booking))
    form = CorrectionForm()
    status = 200
    if form.validate_on_submit():
        try:
            agreeing.suggest_correction(me(), programme, meeting, or_404(booking), form.text.data)
        except Refused as refusal:
            refuse_on(form, refusal)
            status = 409
        else:
            flash("Your correction is sent to the coordinators, who will accept or decline it.", "success")
            return redirect(url_for(".show", meeting_id=meeting.id, _anchor="minutes"))
    elif form.is_submitted():
        status = 400
    elif not meeting.minutes_open():
        status = 409
        form.text.errors = [agreeing.PUBLISHED if meeting.minutes_agreed else agreeing.DEADLINE_PASSED
                            if meeting.minutes_deadline else agreeing.NOT_SENT]
    return render_template("meetings/correction.html", programme=programme, meeting=meeting, form=form,
                           draft=render_markdown(meeting.minutes_draft)), status


@bp.route("/meetings/<int:meeting_id>/minutes/corrections/<int:correction_id>", methods=["GET", "POST"])
@login_required
def decide_correction(meeting_id, correction_id):
    programme, meeting = meeting_or_404(current_user, meeting_id)
    policy.require(policy.can_manage_meetings(current_user, programme))
    correction = or_404(agreeing.get_correction(meeting, correction_id))
    form = DecideCorrectionForm()
    status = 200
    if form.validate_on_submit():
        try:
            agreeing.decide_correction(me(), programme, meeting, correction, form.decision.data == ACCEPT,
                                       form.reason.data or "")
        except Refused as refusal:
            refuse_on(form, refusal)
            status = 409
        else:
            flash("The correction is accepted: change the draft to match." if form.decision.data == ACCEPT
                  else "The correction is declined. Its author has been told why.", "success")
            return redirect(url_for(".minutes", meeting_id=meeting.id) if form.decision.data == ACCEPT
                            else url_for(".show", meeting_id=meeting.id, _anchor="minutes"))
    elif form.is_submitted():
        status = 400
    elif correction.is_decided:
        status = 409
        form.decision.errors = ["This correction has already been decided"]
    return render_template("meetings/decide_correction.html", programme=programme, meeting=meeting,
                           correction=correction, form=form), status
