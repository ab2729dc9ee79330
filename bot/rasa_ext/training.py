"""JSON routes of the training loop, under /api/training, with the same gate as /api.

Trainees: the drills with their mastery, a drill to try and their answers to it (parsed by
the server's own NLU model, answered by the engine from the drill's moment, judged and
stored), the debrief of their own rehearsals with instructors' comments, flags on turns the
client misheard, and their progress per rubric dimension. Instructors: everything of every
trainee, plus comments, flag review and NLU export, drill assignments and cohort figures.
A trainee never reads another trainee's debrief, comments, flags or attempts (403).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.accounts.registry import INSTRUCTOR
from bot.debrief.words import move_words
from bot.drills import practice
from bot.drills.model import DrillRegistry
from bot.drills.validate import DRILL_DIR
from bot.moves import MOVES
from bot.persona.registry import PersonaRegistry
from bot.rasa_ext.auth import Identity, forbidden, gate, is_instructor
from bot.service import PERSONA_DIR, parse_to_turn
from bot.training import views
from bot.training.library import KINDS, Library
from bot.training.store import TrainingError, TrainingStore, flags_nlu_yaml

log = logging.getLogger(__name__)
MAX_ANSWER = 2000


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises on invalid JSON
        return {}
    return body if isinstance(body, dict) else {}


def _error(message: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class TrainingChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "training"

    def url_prefix(self) -> str:
        return "/api/training"

    def __init__(self) -> None:
        self._drills: DrillRegistry | None = None
        self._personas: PersonaRegistry | None = None

    def drills(self) -> DrillRegistry:
        if self._drills is None:
            self._drills = DrillRegistry(DRILL_DIR, PERSONA_DIR)
        else:
            self._drills.reload()
        return self._drills

    def personas(self) -> PersonaRegistry:
        if self._personas is None:
            self._personas = PersonaRegistry(PERSONA_DIR)
        else:
            self._personas.reload()
        return self._personas

    def training(self) -> TrainingStore:
        return TrainingStore(gate().store)

    def _own_session(self, who: Identity, session_id: str) -> dict[str, Any] | HTTPResponse:
        stored = gate().store.get_session(session_id)
        if stored is None:
            return _error(f"no session with id '{session_id}'", 404)
        if not is_instructor(who) and stored["trainee"] != who.account.name:
            return forbidden("this session belongs to another trainee")
        return stored

    def _trainee_arg(self, request: Request) -> str | HTTPResponse:
        """The trainee whose practice a read route shows: any (`?trainee=`, else oneself)
        for an instructor, only oneself for a trainee; or the refusal to send."""
        who = gate().check(request)
        if isinstance(who, HTTPResponse):
            return who
        asked = (request.args.get("trainee") or "").strip()
        if is_instructor(who):
            return asked or who.account.name
        if asked and asked != who.account.name:
            return forbidden("trainees see only their own practice")
        return who.account.name

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint("rehearsal_training", __name__)

        # -- drills -----------------------------------------------------------------------

        @bp.route("/drills", methods=["GET"])
        async def drill_list(request: Request) -> HTTPResponse:
            trainee = self._trainee_arg(request)
            if isinstance(trainee, HTTPResponse):
                return trainee
            progress = self.training().mastery_by_drill(trainee)
            assigned = {a["drill"] for a in self.training().assignments(trainee)}
            personas = self.personas()
            return response.json([
                views.drill_summary(d, personas.get(d.persona), progress.get(d.id),
                                    d.id in assigned)
                for d in self.drills().all()])

        @bp.route("/drills/<drill_id>", methods=["GET"])
        async def drill_detail(request: Request, drill_id: str) -> HTTPResponse:
            who = gate().check(request)
            if isinstance(who, HTTPResponse):
                return who
            drill = self.drills().get(drill_id)
            if drill is None:
                return _error(f"no drill '{drill_id}'", 404)
            return response.json(views.drill_to_try(drill, self.personas().get(drill.persona)))

        @bp.route("/drills/<drill_id>/attempts", methods=["POST"])
        async def drill_attempt(request: Request, drill_id: str) -> HTTPResponse:
            who = gate().check(request, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            drill = self.drills().get(drill_id)
            persona = self.personas().get(drill.persona) if drill else None
            if drill is None or persona is None:
                return _error(f"no drill '{drill_id}'", 404)
            text = str(_body(request).get("text") or "").strip()[:MAX_ANSWER]
            if not text:
                return _error("write your answer first (one message)")
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None:
                return _error("the NLU model is not loaded yet; try again in a moment", 503)
            try:
                turn = parse_to_turn(await agent.parse_message(text))
                feedback = practice.answer(drill, persona, turn).to_dict()
            except Exception:  # noqa: BLE001 - one odd answer must not take the page down
                log.exception("drill %s: answer could not be judged", drill.id)
                return _error("this answer could not be judged; please try again", 503)
            store = self.training()
            store.add_attempt(who.account.name, drill.id, text, turn.intent, feedback["met"],
                              feedback)
            feedback["mastery"] = store.mastery_by_drill(who.account.name)[drill.id].to_dict()
            return response.json(feedback)

        @bp.route("/drills/<drill_id>/attempts", methods=["GET"])
        async def drill_attempts(request: Request, drill_id: str) -> HTTPResponse:
            trainee = self._trainee_arg(request)
            if isinstance(trainee, HTTPResponse):
                return trainee
            return response.json(self.training().attempts(trainee, drill_id))

        @bp.route("/assignments", methods=["POST"])
        async def assign(request: Request) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            body = _body(request)
            trainee = str(body.get("trainee") or "").strip()
            drill_id = str(body.get("drill") or "").strip()
            if not trainee or self.drills().get(drill_id) is None:
                return _error("give a trainee name and a drill id")
            self.training().assign(trainee, drill_id, who.account.name)
            return response.json({"trainee": trainee, "drill": drill_id, "assigned": True})

        # -- debrief, flags, comments ---------------------------------------------------

        @bp.route("/sessions/<session_id>/debrief", methods=["GET"])
        async def debrief(request: Request, session_id: str) -> HTTPResponse:
            who = gate().check(request)
            if isinstance(who, HTTPResponse):
                return who
            stored = self._own_session(who, session_id)
            if isinstance(stored, HTTPResponse):
                return stored
            store = self.training()
            view = views.debrief_view(stored, self.personas().get(stored["persona"]),
                                      store.comments(session_id),
                                      store.flags(session_id=session_id))
            view["moves"] = [{"move": m, "words": move_words(m)} for m in MOVES]
            return response.json(view)

        @bp.route("/sessions/<session_id>/turns/<n:int>/flags", methods=["POST"])
        async def flag(request: Request, session_id: str, n: int) -> HTTPResponse:
            who = gate().check(request, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            stored = self._own_session(who, session_id)
            if isinstance(stored, HTTPResponse):
                return stored
            if stored["trainee"] != who.account.name:
                return forbidden("only the trainee who said it can flag a turn")
            turn = next((t for t in stored["turns"] if t["n"] == n), None)
            if turn is None:
                return _error(f"no turn {n} in this session", 404)
            body = _body(request)
            try:
                flag_id = self.training().add_flag(
                    session_id, n, who.account.name, turn["trainee"], turn["intent"],
                    str(body.get("meant") or ""), str(body.get("note") or ""))
            except TrainingError as exc:
                return _error(str(exc))
            return response.json({"id": flag_id, "status": "open"})

        @bp.route("/sessions/<session_id>/turns/<n:int>/comments", methods=["POST"])
        async def comment(request: Request, session_id: str, n: int) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            stored = self._own_session(who, session_id)
            if isinstance(stored, HTTPResponse):
                return stored
            if not any(t["n"] == n for t in stored["turns"]):
                return _error(f"no turn {n} in this session", 404)
            try:
                comment_id = self.training().add_comment(
                    session_id, n, who.account.name, str(_body(request).get("text") or ""))
            except TrainingError as exc:
                return _error(str(exc))
            return response.json({"id": comment_id})

        @bp.route("/flags", methods=["GET"])
        async def flag_list(request: Request) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR)
            if isinstance(who, HTTPResponse):
                return who
            status = (request.args.get("status") or "").strip() or None
            return response.json(self.training().flags(status=status))

        @bp.route("/flags/<flag_id:int>", methods=["POST"])
        async def review(request: Request, flag_id: int) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            try:
                found = self.training().review_flag(flag_id, str(_body(request).get("status")),
                                                    who.account.name)
            except TrainingError as exc:
                return _error(str(exc))
            if not found:
                return _error(f"no flag {flag_id}", 404)
            return response.json({"id": flag_id, "status": _body(request).get("status")})

        @bp.route("/flags/export", methods=["GET"])
        async def export(request: Request) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR)
            if isinstance(who, HTTPResponse):
                return who
            text = flags_nlu_yaml(self.training().flags(status="accepted"))
            return response.text(text, content_type="application/x-yaml; charset=utf-8",
                                 headers={"Content-Disposition":
                                          'attachment; filename="flagged-nlu.yml"'})

        # -- progress and cohort ----------------------------------------------------------

        @bp.route("/progress", methods=["GET"])
        async def progress(request: Request) -> HTTPResponse:
            trainee = self._trainee_arg(request)
            if isinstance(trainee, HTTPResponse):
                return trainee
            store = gate().store
            rows = [store.get_session_row(s["session_id"]) or s
                    for s in store.list_sessions(trainee=trainee)]
            view = views.progress_view(rows)
            view["trainee"] = trainee
            return response.json(view)

        @bp.route("/cohort", methods=["GET"])
        async def cohort(request: Request) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR)
            if isinstance(who, HTTPResponse):
                return who
            store = gate().store
            rows = [store.get_session_row(s["session_id"]) or s
                    for s in store.list_sessions() if s["scored"]]
            return response.json(views.cohort_view(rows, self.training().flags()))

        # -- persona and drill files (instructors) -----------------------------------------

        library = Library(PERSONA_DIR, DRILL_DIR)

        @bp.route("/library", methods=["GET"])
        async def library_list(request: Request) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR)
            if isinstance(who, HTTPResponse):
                return who
            return response.json(library.listing())

        @bp.route("/library/<kind>/<name>", methods=["GET"])
        async def library_file(request: Request, kind: str, name: str) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR)
            if isinstance(who, HTTPResponse):
                return who
            if kind not in KINDS:
                return _error(f"unknown kind '{kind}': use {' or '.join(KINDS)}", 404)
            text = library.read(kind, name)
            if text is None:
                return _error(f"no file data/{kind}/{name}.yml", 404)
            return response.json({"kind": kind, "name": name, "text": text,
                                  "problems": library.check(kind, name, text)})

        @bp.route("/library/<kind>/<name>", methods=["POST"])
        async def library_save(request: Request, kind: str, name: str) -> HTTPResponse:
            who = gate().check(request, role=INSTRUCTOR, changes=True)
            if isinstance(who, HTTPResponse):
                return who
            if kind not in KINDS:
                return _error(f"unknown kind '{kind}': use {' or '.join(KINDS)}", 404)
            text = _body(request).get("text")
            if not isinstance(text, str):
                return _error("send the file's text: {\"text\": ...}")
            problems = library.save(kind, name, text)
            if problems:
                return response.json({"saved": False, "problems": problems}, status=422)
            log.info("%s saved data/%s/%s.yml", who.account.name, kind, name)
            return response.json({"saved": True, "problems": []})

        return bp
