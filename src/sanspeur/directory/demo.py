"""Fictional Montréal services for the demo (idempotent: stable UUIDs, existing rows are left alone).

The catalogue is fixture data written in one plain transaction (all or nothing, so a rerun
completes a run cut short), not through the actions: an action inside it would refuse to run
(core/actions.py). Its search text is computed here with ``build_search_text``, as
``service_reindex`` does.
"""

import datetime as dt

from django.db import transaction

from .demo_texts import SERVICES, shared
from .models import (
    Address,
    Borough,
    Closure,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .reference import boroughs, ensure_reference_data, stable_uuid
from .services import build_search_text
from .translations import KINDS, stamp_created

# need: [(fr name, en name, fr description, en description, confidential)]; Spanish, Arabic and
# Haitian Creole in demo_texts.py.
CATALOGUE = {
    "food": [
        (
            "Dépannage alimentaire du quartier",
            "Neighbourhood food bank",
            "Paniers d'épicerie chaque semaine, sans rendez-vous.",
            "Weekly grocery baskets, no appointment.",
            False,
        ),
        (
            "Cuisine collective Les Marmites",
            "Les Marmites community kitchen",
            "Cuisinez en groupe et repartez avec des repas.",
            "Cook in a group and take meals home.",
            False,
        ),
        (
            "Repas chauds du midi",
            "Hot lunch program",
            "Un repas chaud gratuit du lundi au vendredi.",
            "A free hot meal Monday to Friday.",
            False,
        ),
        (
            "Frigo communautaire",
            "Community fridge",
            "Servez-vous, sans question.",
            "Help yourself, no questions.",
            False,
        ),
        (
            "Marché solidaire",
            "Solidarity market",
            "Fruits et légumes à prix réduit ou gratuits.",
            "Fruit and vegetables at low or no cost.",
            False,
        ),
    ],
    "health": [
        (
            "Clinique sans rendez-vous Solidarité Santé",
            "Solidarity Health walk-in clinic",
            "Consultations avec infirmières et médecins, avec ou sans assurance.",
            "Nurse and doctor visits, insured or not.",
            False,
        ),
        (
            "Soins dentaires d'urgence communautaires",
            "Community emergency dental care",
            "Soulagement de la douleur dentaire.",
            "Relief for dental pain.",
            False,
        ),
        (
            "Écoute santé mentale",
            "Mental health listening line",
            "Parlez à quelqu'un, en toute confidentialité.",
            "Talk to someone, confidentially.",
            False,
        ),
        (
            "Vaccination pour tous",
            "Vaccination for all",
            "Vaccins gratuits pour enfants et adultes.",
            "Free vaccines for children and adults.",
            False,
        ),
        (
            "Clinique de santé des femmes",
            "Women's health clinic",
            "Suivi de grossesse et santé sexuelle.",
            "Pregnancy follow-up and sexual health.",
            False,
        ),
    ],
    "housing": [
        (
            "Refuge de nuit L'Étoile",
            "L'Étoile night shelter",
            "Un lit pour la nuit, accueil par téléphone.",
            "A bed for the night, intake by phone.",
            True,
        ),
        (
            "Halte-chaleur hivernale",
            "Winter warming centre",
            "Un endroit chaud et une boisson chaude.",
            "A warm place and a hot drink.",
            False,
        ),
        (
            "Comité logement du quartier",
            "Neighbourhood housing committee",
            "Aide pour votre bail et vos droits de locataire.",
            "Help with your lease and tenant rights.",
            False,
        ),
        (
            "Maison d'hébergement familiale",
            "Family shelter",
            "Hébergement temporaire pour familles.",
            "Temporary housing for families.",
            True,
        ),
        (
            "Accompagnement à la recherche de logement",
            "Housing search support",
            "On vous aide à trouver un logement.",
            "We help you find a place to live.",
            False,
        ),
    ],
    "legal": [
        (
            "Clinique juridique populaire",
            "People's legal clinic",
            "Consultations juridiques gratuites et confidentielles.",
            "Free, confidential legal consultations.",
            False,
        ),
        (
            "Info-droits des locataires",
            "Tenant rights info",
            "Réponses à vos questions sur le logement.",
            "Answers to your housing questions.",
            False,
        ),
        (
            "Aide juridique en famille",
            "Family legal help",
            "Séparation, garde d'enfants, pension.",
            "Separation, custody, support.",
            False,
        ),
        (
            "Permanence avocats bénévoles",
            "Volunteer lawyers drop-in",
            "Un avocat bénévole vous écoute.",
            "A volunteer lawyer listens.",
            False,
        ),
        (
            "Accompagnement au tribunal",
            "Court support",
            "Quelqu'un vous accompagne au tribunal.",
            "Someone goes to court with you.",
            False,
        ),
    ],
    "work-rights": [
        (
            "Centre des travailleuses et travailleurs",
            "Workers' centre",
            "Salaire impayé, accident, congédiement : connaissez vos droits.",
            "Unpaid wages, injury, dismissal: know your rights.",
            False,
        ),
        (
            "Ligne d'aide salaire impayé",
            "Unpaid wages helpline",
            "On vous aide à récupérer votre salaire.",
            "We help you recover your pay.",
            False,
        ),
        (
            "Atelier santé-sécurité au travail",
            "Workplace health and safety workshop",
            "Vos droits en cas de blessure.",
            "Your rights if you are injured.",
            False,
        ),
        (
            "Soutien aux travailleuses domestiques",
            "Domestic workers support",
            "Accompagnement des aides familiales.",
            "Support for caregivers and domestic workers.",
            False,
        ),
        (
            "Café-emploi",
            "Job café",
            "Curriculum vitæ et préparation d'entrevue.",
            "Résumés and interview practice.",
            False,
        ),
    ],
    "education": [
        (
            "Francisation du quartier",
            "Neighbourhood French classes",
            "Cours de français gratuits pour adultes.",
            "Free French classes for adults.",
            False,
        ),
        (
            "Aide aux devoirs",
            "Homework help",
            "Des bénévoles aident vos enfants.",
            "Volunteers help your children.",
            False,
        ),
        (
            "Alphabétisation adultes",
            "Adult literacy",
            "Apprendre à lire et écrire à son rythme.",
            "Learn to read and write at your pace.",
            False,
        ),
        (
            "Ateliers informatiques",
            "Computer workshops",
            "Courriel, formulaires en ligne, téléphone intelligent.",
            "Email, online forms, smartphones.",
            False,
        ),
        (
            "Inscription scolaire accompagnée",
            "School registration help",
            "Inscrire son enfant à l'école, sans crainte.",
            "Register your child at school, without fear.",
            False,
        ),
    ],
    "library-culture": [
        (
            "Bibliothèque de quartier",
            "Neighbourhood library",
            "Carte gratuite, livres, internet et activités.",
            "Free card, books, internet and activities.",
            False,
        ),
        (
            "Heure du conte multilingue",
            "Multilingual story time",
            "Histoires pour enfants dans plusieurs langues.",
            "Stories for children in several languages.",
            False,
        ),
        (
            "Maison de la culture",
            "Maison de la culture",
            "Spectacles et expositions gratuits.",
            "Free shows and exhibitions.",
            False,
        ),
        (
            "Club de conversation",
            "Conversation club",
            "Pratiquer le français autour d'un café.",
            "Practise French over coffee.",
            False,
        ),
        ("Musée en famille", "Family museum day", "Entrée gratuite le dimanche.", "Free entry on Sundays.", False),
    ],
    "sport": [
        (
            "Bain libre à la piscine",
            "Free swim at the pool",
            "Baignade libre pour tous.",
            "Open swim for everyone.",
            False,
        ),
        (
            "Soccer communautaire",
            "Community soccer",
            "Matchs amicaux, équipement prêté.",
            "Friendly games, equipment lent.",
            False,
        ),
        (
            "Patinage libre à l'aréna",
            "Public skating at the arena",
            "Patins prêtés gratuitement.",
            "Skates lent for free.",
            False,
        ),
        ("Yoga au parc", "Yoga in the park", "Séances gratuites l'été.", "Free summer sessions.", False),
        (
            "Gymnase ouvert jeunesse",
            "Open gym for youth",
            "Basketball et badminton pour les 12-17 ans.",
            "Basketball and badminton for ages 12-17.",
            False,
        ),
    ],
    "children-families": [
        (
            "Halte-garderie communautaire",
            "Community drop-in daycare",
            "Quelques heures de garde pour souffler.",
            "A few hours of childcare.",
            False,
        ),
        (
            "Maison des familles",
            "Family house",
            "Activités parents-enfants et écoute.",
            "Parent-child activities and support.",
            False,
        ),
        ("Joujouthèque", "Toy library", "Empruntez des jouets gratuitement.", "Borrow toys for free.", False),
        ("Cuisine pour bébés", "Baby food workshop", "Préparer les purées de bébé.", "Make baby food.", False),
        (
            "Camp de jour accessible",
            "Accessible day camp",
            "Camp d'été à faible coût ou gratuit.",
            "Low-cost or free summer camp.",
            False,
        ),
    ],
    "women": [
        (
            "Maison d'hébergement pour femmes",
            "Women's shelter",
            "Hébergement sécuritaire pour femmes et enfants victimes de violence.",
            "Safe housing for women and children facing violence.",
            True,
        ),
        (
            "Centre des femmes",
            "Women's centre",
            "Lieu d'entraide et d'information.",
            "A place of mutual aid and information.",
            False,
        ),
        (
            "Ligne d'écoute violence conjugale",
            "Domestic violence listening line",
            "Écoute 24 h sur 24, anonyme.",
            "24-hour anonymous listening line.",
            True,
        ),
        (
            "Groupe de soutien mères nouvelles arrivantes",
            "Newcomer mothers support group",
            "Rencontres entre mères.",
            "Gatherings for mothers.",
            False,
        ),
        (
            "Ateliers d'autodéfense",
            "Self-defence workshops",
            "Ateliers gratuits pour femmes.",
            "Free workshops for women.",
            False,
        ),
    ],
    "emergency": [
        (
            "Aide d'urgence 24 h",
            "24-hour emergency help",
            "Besoin urgent ? Appelez, on vous oriente.",
            "Urgent need? Call and we'll guide you.",
            False,
        ),
        (
            "Refuge d'urgence pour jeunes",
            "Youth emergency shelter",
            "Hébergement d'urgence pour les 18-25 ans.",
            "Emergency housing for ages 18-25.",
            True,
        ),
        (
            "Aide aux sinistrés",
            "Disaster relief",
            "Après un incendie ou une inondation.",
            "After a fire or flood.",
            False,
        ),
        ("Vestiaire d'urgence", "Emergency clothing", "Vêtements chauds gratuits.", "Free warm clothes.", False),
        (
            "Centre de crise",
            "Crisis centre",
            "Intervention de crise sans rendez-vous.",
            "Walk-in crisis intervention.",
            False,
        ),
    ],
    "banking": [
        (
            "Ouvrir un compte bancaire",
            "Open a bank account",
            "Accompagnement pour ouvrir un compte sans NAS.",
            "Help to open an account without a SIN.",
            False,
        ),
        (
            "Clinique d'impôts bénévole",
            "Volunteer tax clinic",
            "Déclarations de revenus gratuites.",
            "Free tax returns.",
            False,
        ),
        (
            "Budget et dettes",
            "Budget and debt help",
            "Conseils budgétaires confidentiels.",
            "Confidential budget advice.",
            False,
        ),
        (
            "Microcrédit communautaire",
            "Community micro-loans",
            "Petits prêts sans intérêt.",
            "Small interest-free loans.",
            False,
        ),
        (
            "Transfert d'argent à coût réduit",
            "Low-cost money transfers",
            "Informations sur les transferts à l'étranger.",
            "Information on sending money abroad.",
            False,
        ),
    ],
}
STREETS = [
    "rue Jean-Talon",
    "boulevard Saint-Laurent",
    "rue Sainte-Catherine",
    "chemin de la Côte-des-Neiges",
    "rue Ontario",
    "avenue du Parc",
    "rue Notre-Dame",
    "boulevard Pie-IX",
    "rue Sherbrooke",
    "rue Fleury",
]
BOROUGH_FSA = {
    "ahuntsic-cartierville": "H2C",
    "anjou": "H1K",
    "cote-des-neiges-notre-dame-de-grace": "H3T",
    "lachine": "H8S",
    "lasalle": "H8N",
    "le-plateau-mont-royal": "H2J",
    "le-sud-ouest": "H4C",
    "l-ile-bizard-sainte-genevieve": "H9C",
    "mercier-hochelaga-maisonneuve": "H1W",
    "montreal-nord": "H1G",
    "outremont": "H2V",
    "pierrefonds-roxboro": "H9H",
    "riviere-des-prairies-pointe-aux-trembles": "H1A",
    "rosemont-la-petite-patrie": "H1X",
    "saint-laurent": "H4L",
    "saint-leonard": "H1P",
    "verdun": "H4G",
    "ville-marie": "H2X",
    "villeray-saint-michel-parc-extension": "H2R",
}
SCHEDULES = [
    [("MO,TU,WE,TH,FR", "09:00", "17:00")],
    [("MO,WE,FR", "10:00", "16:00"), ("SA", "10:00", "13:00")],
    [("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")],
    [("TU,TH", "13:00", "20:00")],
    [("MO,TU,WE,TH,FR", "08:30", "12:00"), ("MO,TU,WE,TH,FR", "13:00", "16:30")],
    [("SA,SU", "09:00", "15:00")],
]
HOLIDAYS = [
    (dt.date(2026, 12, 25), dt.date(2026, 12, 26), "christmas"),
    (dt.date(2027, 1, 1), dt.date(2027, 1, 2), "new_year"),
]


def _t(time: str) -> dt.time:
    return dt.time.fromisoformat(time)


def load(*, stdout, print_logins: bool = True) -> None:
    ensure_reference_data()
    borough_list = [Borough.objects.get(code=code) for code, *_ in boroughs()]
    created = completed = 0
    with transaction.atomic():
        for start, end, key in HOLIDAYS:
            closure, new = Closure.objects.get_or_create(
                id=stable_uuid("holiday", start),
                defaults={"date_start": start, "date_end": end, "description": shared(key)},
            )
            if new:
                _stamp_all("closure", closure)
            else:
                completed += _complete(closure, "closure", description=shared(key))
        index = 0
        for need, entries in CATALOGUE.items():
            term = TaxonomyTerm.objects.get(code=need)
            for n, (fr, en, dfr, den, confidential) in enumerate(entries):
                borough = borough_list[index % len(borough_list)]
                key = f"{need}-{n}"
                index += 1
                texts = _service_texts(fr, en, dfr, den)
                existing = Service.objects.filter(id=stable_uuid("service", key)).first()
                if existing is not None:
                    completed += _complete_entry(existing, key, texts, borough, confidential, index)
                    continue
                created += 1
                org = Organization.objects.create(
                    id=stable_uuid("organization", key),
                    name=shared("organization_name", name=texts["name"], borough=borough.name),
                    description=shared("organization_description", description=texts["description"]),
                    email=f"info@{need}{n}.exemple.org",
                    website=f"https://{need}{n}.exemple.org",
                )
                service = Service.objects.create(
                    id=stable_uuid("service", key),
                    organization=org,
                    name=texts["name"],
                    description=texts["description"],
                    eligibility_description=shared("eligibility"),
                    url=f"https://{need}{n}.exemple.org/services",
                    is_free=index % 5 != 0,
                    fees_description={} if index % 5 else shared("fees"),
                    accepts_card=index % 2 == 0,
                    no_id_needed=index % 3 != 1,
                    interpretation=index % 4 == 0,
                    languages=["fr", "en"] + [["es"], ["ar"], ["ht"], [], ["es", "ar"]][index % 5],
                    last_verified=dt.date(2026, 11, 1) - dt.timedelta(days=(index * 9) % 300),
                )
                service.needs.add(term)
                if need in ("housing", "women") and n % 2:
                    service.needs.add(TaxonomyTerm.objects.get(code="emergency"))
                service.service_areas.add(borough)
                location = Location.objects.create(
                    id=stable_uuid("location", key),
                    organization=org,
                    name=shared("location_name", borough=borough.name),
                    borough=borough,
                    latitude=round(borough.latitude + ((index * 37) % 21 - 10) / 2000, 5),
                    longitude=round(borough.longitude + ((index * 53) % 21 - 10) / 2000, 5),
                    accessibility=shared("accessibility") if index % 2 else {},
                    is_confidential=confidential,
                    intake_phone=f"514-555-{1000 + index:04d}" if confidential else "",
                    intake_description=shared("intake") if confidential else {},
                )
                Address.objects.create(
                    id=stable_uuid("address", key),
                    location=location,
                    address_1=f"{100 + index * 17} {STREETS[index % len(STREETS)]}",
                    postal_code=f"{BOROUGH_FSA[borough.code]} {index % 9 + 1}A{index % 7 + 2}",
                )
                ServiceAtLocation.objects.create(id=stable_uuid("sal", key), service=service, location=location)
                Phone.objects.create(
                    id=stable_uuid("phone", key), service=service, number=f"514-555-{2000 + index:04d}"
                )
                for m, (days, opens, closes) in enumerate(SCHEDULES[index % len(SCHEDULES)]):
                    Schedule.objects.create(
                        id=stable_uuid("schedule", key, m),
                        service=service,
                        location=location,
                        byday=days,
                        opens_at=_t(opens),
                        closes_at=_t(closes),
                    )
                if index % 11 == 0:
                    closure = Closure.objects.create(
                        id=stable_uuid("closure", key),
                        service=service,
                        date_start=dt.date(2026, 12, 20),
                        date_end=dt.date(2027, 1, 5),
                        description=shared("holidays_closure"),
                    )
                    _stamp_all("closure", closure)
                Service.objects.filter(pk=service.pk).update(search_text=build_search_text(service))
                for kind, record in (("service", service), ("organization", org), ("location", location)):
                    _stamp_all(kind, record)
        # Partner organisations (accounts demo) may propose changes to their borough's services.
        from sanspeur.accounts.models import Organisation

        for partner in Organisation.objects.filter(kind="partner"):
            borough = Borough.objects.filter(name=partner.borough).first()
            if borough:
                Organization.objects.filter(locations__borough=borough, partner__isnull=True).update(partner=partner)
    stdout.write(
        f"directory: {created} fictional services created ({Service.objects.count()} in total), "
        f"{completed} texts completed in every language\n"
    )


def _service_texts(fr: str, en: str, dfr: str, den: str) -> dict[str, dict[str, str]]:
    """A service's name and description in the five languages (demo_texts.py)."""
    other = SERVICES[fr]
    return {
        "name": {"fr": fr, "en": en, **{lang: pair[0] for lang, pair in other.items()}},
        "description": {"fr": dfr, "en": den, **{lang: pair[1] for lang, pair in other.items()}},
    }


def _complete(record, kind: str, **fields) -> int:
    """Add the languages a record of an earlier demo lacks (its French unchanged); never overwrite a
    text. Returns the number of fields completed."""
    changed = []
    for field, texts in fields.items():
        current = dict(getattr(record, field) or {})
        if current.get("fr") != texts.get("fr"):
            continue  # edited since the demo was loaded: left alone
        merged = {**texts, **{k: v for k, v in current.items() if v}}
        if merged != current:
            setattr(record, field, merged)
            changed.append(field)
    if changed:
        record.save(update_fields=changed)
        _stamp_all(kind, record)
    return len(changed)


def _complete_entry(service, key: str, texts: dict, borough, confidential: bool, index: int) -> int:
    completed = _complete(
        service, "service", **texts, eligibility_description=shared("eligibility"), fees_description=shared("fees")
    )
    if completed:
        Service.objects.filter(pk=service.pk).update(search_text=build_search_text(service))
    org = service.organization
    completed += _complete(
        org,
        "organization",
        name=shared("organization_name", name=texts["name"], borough=borough.name),
        description=shared("organization_description", description=texts["description"]),
    )
    location = Location.objects.filter(id=stable_uuid("location", key)).first()
    if location is not None:
        completed += _complete(
            location,
            "location",
            name=shared("location_name", borough=borough.name),
            accessibility=shared("accessibility"),
            intake_description=shared("intake"),
        )
    closure = Closure.objects.filter(id=stable_uuid("closure", key)).first()
    if closure is not None:
        completed += _complete(closure, "closure", description=shared("holidays_closure"))
    return completed


def _stamp_all(kind: str, *records) -> None:
    """The demo's translations are made from its French: stamp them (``models.Translation``)."""
    stamp_created(kind, records, KINDS[kind].fields)
