"""The funding agreement and the decision letter as PDFs, made on the fly (never stored), in the
organisation's language (French or English: their two official versions, written here like a call's
texts rather than in the translation catalogs). The agreement: terms, the budget, the payment
schedule, the reporting calendar, and the data-protection clause (no immigration status collected,
participants reported only as counts). The letter: the decision, the amount, the council resolution
and the rationale."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import override
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from sanspeur.cards.printing import BOLD, REGULAR, fonts
from sanspeur.core.pdf import pdf_bytes

from . import selectors
from .models import Application

TEXTS = {
    "fr": {
        "title": "Entente de financement",
        "parties": "Entre la {city} et {organisation} (l’organisme), pour le projet « {project} » "
        "({reference}), financé au titre de l’appel « {call} ».",
        "terms": "La Ville accorde à l’organisme une subvention de {amount}, selon la résolution {resolution} "
        "du {date}. Le projet se déroule de {first} à {last}.",
        "budget": "Budget du projet",
        "category": "Catégorie",
        "total": "Total",
        "payments": "Calendrier des versements",
        "payment": "Versement",
        "amount": "Montant",
        "planned": "Prévu le",
        "condition": "Condition",
        "signature": "signature de l’entente",
        "report_accepted": "acceptation du rapport {n}",
        "reports": "Calendrier des rapports",
        "report": "Rapport {n}",
        "due": "à remettre le {date}",
        "protection_title": "Protection des données des participantes et participants",
        "protection": "L’organisme ne demande, ne recueille, ne consigne ni ne déduit le statut migratoire "
        "de quiconque. Il ne transmet à la Ville aucune donnée permettant d’identifier une personne : les "
        "personnes rejointes sont déclarées uniquement en nombres par type de service, arrondis à 5, et un "
        "nombre inférieur à 10 n’est pas déclaré. Aucune liste de personnes n’est jamais demandée ni remise.",
        "currency": "{n} $",
        "letter_title": "Décision — appel « {call} »",
        "letter_to": "À : {organisation}",
        "letter_about": "Objet : votre demande {reference}, « {project} »",
        "approved": "Nous avons le plaisir de vous informer que la Ville accorde à votre projet une subvention de "
        "{amount}, selon la résolution {resolution} du conseil, en date du {date}. L’entente de financement "
        "vous sera transmise avec le calendrier des versements et des rapports.",
        "declined": "Nous regrettons de vous informer que votre projet n’a pas été retenu (décision du {date}).",
        "waitlisted": "Votre projet est inscrit sur la liste d’attente (décision du {date}) : il pourra être "
        "financé si une partie de l’enveloppe se libère.",
        "rationale": "Motifs",
        "closing": "Les évaluations ont été faites selon la grille publiée de l’appel, par des évaluatrices et "
        "évaluateurs ayant déclaré l’absence de conflit d’intérêts.",
    },
    "en": {
        "title": "Funding agreement",
        "parties": "Between the {city} and {organisation} (the organisation), for the project “{project}” "
        "({reference}), funded under the call “{call}”.",
        "terms": "The City awards the organisation a grant of {amount}, under resolution {resolution} of {date}. "
        "The project runs from {first} to {last}.",
        "budget": "Project budget",
        "category": "Category",
        "total": "Total",
        "payments": "Payment schedule",
        "payment": "Payment",
        "amount": "Amount",
        "planned": "Planned for",
        "condition": "Condition",
        "signature": "signature of the agreement",
        "report_accepted": "acceptance of report {n}",
        "reports": "Reporting calendar",
        "report": "Report {n}",
        "due": "due on {date}",
        "protection_title": "Protection of participants' data",
        "protection": "The organisation never asks, collects, records or infers anyone's immigration status. "
        "It sends the City no data that identifies a person: people reached are reported only as numbers "
        "per type of service, rounded to 5, and a number under 10 is not reported. No list of people is "
        "ever asked for or handed over.",
        "currency": "${n}",
        "letter_title": "Decision — call “{call}”",
        "letter_to": "To: {organisation}",
        "letter_about": "Re: your application {reference}, “{project}”",
        "approved": "We are pleased to inform you that the City awards your project a grant of {amount}, under "
        "council resolution {resolution} of {date}. The funding agreement will follow, with the schedule of "
        "payments and reports.",
        "declined": "We regret to inform you that your project was not selected (decision of {date}).",
        "waitlisted": "Your project is on the waiting list (decision of {date}): it may be funded if part of "
        "the envelope becomes available.",
        "rationale": "Reasons",
        "closing": "Applications were assessed on the call's published rubric by reviewers who declared they had "
        "no conflict of interest.",
    },
}


def _money(value: Decimal, language: str) -> str:
    with override(language):
        number = number_format(value, decimal_pos=2, force_grouping=True)
    return TEXTS[language]["currency"].format(n=number)


def _styles():
    fonts()
    return (
        ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=14, spaceAfter=4),
        ParagraphStyle("heading", fontName=BOLD, fontSize=13, leading=18, spaceBefore=8),
        ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=24),
    )


def decision_letter_pdf(application: Application, *, city_name: str) -> bytes:
    """The decision letter (funded, waiting list or not funded), with the rationale."""
    language = application.language if application.language in TEXTS else "fr"
    t = TEXTS[language]
    body, heading, title = _styles()
    call_title = application.call.title.get(language) or application.call.title.get("fr", "")
    values = {
        "amount": _money(application.awarded_amount, language) if application.awarded_amount else "",
        "resolution": escape(application.resolution_number),
        "date": application.decided_on.isoformat() if application.decided_on else "",
    }
    key = {"approved": "approved", "declined": "declined", "waitlisted": "waitlisted"}[application.state]
    story = [
        Paragraph(escape(city_name), heading),
        Paragraph(escape(t["letter_title"].format(call=call_title)), title),
        Spacer(1, 4 * mm),
        Paragraph(escape(t["letter_to"].format(organisation=application.organisation.name)), body),
        Paragraph(
            escape(t["letter_about"].format(reference=application.reference, project=application.project_title)), body
        ),
        Spacer(1, 4 * mm),
        Paragraph(t[key].format(**values), body),
    ]
    if application.rationale:
        story += [Paragraph(t["rationale"], heading), Paragraph(escape(application.rationale), body)]
    story += [Spacer(1, 4 * mm), Paragraph(t["closing"], body)]
    return pdf_bytes(story, title=t["letter_title"].format(call=call_title), language=language, pagesize=A4)


def agreement_pdf(application: Application, *, city_name: str) -> bytes:
    language = application.language if application.language in TEXTS else "fr"
    t = TEXTS[language]
    body, heading, title = _styles()
    call = application.call
    story = [
        Paragraph(t["title"], title),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                t["parties"].format(
                    city=city_name,
                    organisation=application.organisation.name,
                    project=application.project_title,
                    reference=application.reference,
                    call=call.title.get(language) or call.title.get("fr", ""),
                )
            ),
            body,
        ),
        Paragraph(
            t["terms"].format(
                amount=_money(application.awarded_amount, language),
                resolution=escape(application.resolution_number),
                date=application.decided_on.isoformat(),
                first=call.first_year,
                last=call.last_year,
            ),
            body,
        ),
    ]
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), REGULAR, 9),
            ("FONT", (0, 0), (-1, 0), BOLD, 9),
            ("GRID", (0, 0), (-1, -1), 0.3, "#888888"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )
    budget = selectors.budget_table(application)
    with override(language):
        rows = [[t["category"], *map(str, budget.years), t["total"]]]
        rows += [
            [str(label), *(_money(a, language) for a in amounts), _money(total, language)]
            for _code, label, amounts, total in budget.rows
            if total
        ]
    rows.append([t["total"], *(_money(a, language) for a in budget.year_totals), _money(budget.total, language)])
    story += [Paragraph(t["budget"], heading), Table(rows, style=table_style, hAlign="LEFT")]
    payments = [[t["payment"], t["amount"], t["planned"], t["condition"]]]
    for tranche in application.tranches.select_related("gate"):
        condition = t["report_accepted"].format(n=tranche.gate.number) if tranche.gate else t["signature"]
        payments.append([str(tranche.number), _money(tranche.amount, language), tranche.due_on.isoformat(), condition])
    story += [Paragraph(t["payments"], heading), Table(payments, style=table_style, hAlign="LEFT")]
    story.append(Paragraph(t["reports"], heading))
    for report in application.reports.all():
        story.append(
            Paragraph(
                f"{t['report'].format(n=report.number)} — {t['due'].format(date=report.due_on.isoformat())}"
                + (f" — {escape(report.milestone)}" if report.milestone else ""),
                body,
            )
        )
    story += [Paragraph(t["protection_title"], heading), Paragraph(t["protection"], body)]
    return pdf_bytes(story, title=t["title"], language=language, pagesize=A4)
