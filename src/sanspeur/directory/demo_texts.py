"""The demo's public texts in Spanish, Arabic and Haitian Creole (French and English are in
``demo.CATALOGUE``): what a resident reads in each language of the site. Written by hand for the
demo, as the city's translators would from the translation queue (docs/directory.md).
"""

# French service name -> language -> (name, description)
SERVICES: dict[str, dict[str, tuple[str, str]]] = {
    "Dépannage alimentaire du quartier": {
        "es": ("Banco de alimentos del barrio", "Canastas de comestibles cada semana, sin cita."),
        "ar": ("بنك الطعام في الحي", "سلال بقالة كل أسبوع، بدون موعد."),
        "ht": ("Bank manje katye a", "Pànye manje chak semèn, san randevou."),
    },
    "Cuisine collective Les Marmites": {
        "es": ("Cocina colectiva Les Marmites", "Cocine en grupo y llévese comidas a casa."),
        "ar": ("المطبخ الجماعي «Les Marmites»", "اطبخوا ضمن مجموعة وخذوا الوجبات إلى البيت."),
        "ht": ("Kizin kolektif Les Marmites", "Kwit manje an gwoup epi pote manje lakay ou."),
    },
    "Repas chauds du midi": {
        "es": ("Comidas calientes del mediodía", "Una comida caliente gratuita de lunes a viernes."),
        "ar": ("وجبات غداء ساخنة", "وجبة ساخنة مجانية من الاثنين إلى الجمعة."),
        "ht": ("Manje cho a midi", "Yon plat manje cho gratis soti lendi rive vandredi."),
    },
    "Frigo communautaire": {
        "es": ("Refrigerador comunitario", "Sírvase usted mismo, sin preguntas."),
        "ar": ("الثلاجة المجتمعية", "خذوا ما تحتاجون، بلا أسئلة."),
        "ht": ("Frijidè kominotè", "Sèvi tèt ou, san kesyon."),
    },
    "Marché solidaire": {
        "es": ("Mercado solidario", "Frutas y verduras a precio reducido o gratis."),
        "ar": ("السوق التضامني", "فواكه وخضار بأسعار مخفّضة أو مجاناً."),
        "ht": ("Mache solidarite", "Fwi ak legim pi bon mache oswa gratis."),
    },
    "Clinique sans rendez-vous Solidarité Santé": {
        "es": ("Clínica sin cita Solidarité Santé", "Consultas con enfermeras y médicos, con o sin seguro."),
        "ar": ("عيادة «Solidarité Santé» بدون موعد", "استشارات مع ممرضات وأطباء، مع تأمين أو بدونه."),
        "ht": (
            "Klinik san randevou Solidarité Santé",
            "Konsiltasyon ak enfimyè ak doktè, avèk asirans oswa san asirans.",
        ),
    },
    "Soins dentaires d'urgence communautaires": {
        "es": ("Atención dental comunitaria de urgencia", "Alivio del dolor de muelas."),
        "ar": ("رعاية أسنان طارئة مجتمعية", "تخفيف ألم الأسنان."),
        "ht": ("Swen dan ijans kominotè", "Soulaje doulè dan."),
    },
    "Écoute santé mentale": {
        "es": ("Escucha en salud mental", "Hable con alguien, con total confidencialidad."),
        "ar": ("خط الإصغاء للصحة النفسية", "تحدّثوا إلى شخص ما، بسرية تامة."),
        "ht": ("Koute pou sante mantal", "Pale ak yon moun, an tout konfidansyalite."),
    },
    "Vaccination pour tous": {
        "es": ("Vacunación para todos", "Vacunas gratuitas para niños y adultos."),
        "ar": ("التطعيم للجميع", "لقاحات مجانية للأطفال والبالغين."),
        "ht": ("Vaksinasyon pou tout moun", "Vaksen gratis pou timoun ak granmoun."),
    },
    "Clinique de santé des femmes": {
        "es": ("Clínica de salud de las mujeres", "Seguimiento del embarazo y salud sexual."),
        "ar": ("عيادة صحة المرأة", "متابعة الحمل والصحة الجنسية."),
        "ht": ("Klinik sante fanm", "Swivi gwosès ak sante seksyèl."),
    },
    "Refuge de nuit L'Étoile": {
        "es": ("Albergue nocturno L'Étoile", "Una cama para la noche, acogida por teléfono."),
        "ar": ("ملجأ «L'Étoile» الليلي", "سرير لليلة، والاستقبال عبر الهاتف."),
        "ht": ("Abri lannwit L'Étoile", "Yon kabann pou nwit lan, akèy pa telefòn."),
    },
    "Halte-chaleur hivernale": {
        "es": ("Refugio de calor invernal", "Un lugar cálido y una bebida caliente."),
        "ar": ("مركز التدفئة الشتوي", "مكان دافئ ومشروب ساخن."),
        "ht": ("Kote pou chofe nan sezon fredi", "Yon kote ki cho ak yon bwason cho."),
    },
    "Comité logement du quartier": {
        "es": ("Comité de vivienda del barrio", "Ayuda con su contrato de alquiler y sus derechos como inquilino."),
        "ar": ("لجنة السكن في الحي", "مساعدة في عقد الإيجار وحقوقكم كمستأجرين."),
        "ht": ("Komite lojman katye a", "Èd pou kontra lwaye w ak dwa w kòm lokatè."),
    },
    "Maison d'hébergement familiale": {
        "es": ("Albergue familiar", "Alojamiento temporal para familias."),
        "ar": ("دار إيواء للعائلات", "سكن مؤقت للعائلات."),
        "ht": ("Kay akèy pou fanmi", "Lojman pou yon ti tan pou fanmi."),
    },
    "Accompagnement à la recherche de logement": {
        "es": ("Acompañamiento en la búsqueda de vivienda", "Le ayudamos a encontrar una vivienda."),
        "ar": ("المرافقة في البحث عن سكن", "نساعدكم في العثور على سكن."),
        "ht": ("Akonpayman pou chèche lojman", "N ap ede w jwenn yon kote pou w rete."),
    },
    "Clinique juridique populaire": {
        "es": ("Clínica jurídica popular", "Consultas jurídicas gratuitas y confidenciales."),
        "ar": ("العيادة القانونية الشعبية", "استشارات قانونية مجانية وسرية."),
        "ht": ("Klinik jiridik popilè", "Konsiltasyon jiridik gratis e konfidansyèl."),
    },
    "Info-droits des locataires": {
        "es": ("Información sobre los derechos de los inquilinos", "Respuestas a sus preguntas sobre la vivienda."),
        "ar": ("معلومات عن حقوق المستأجرين", "إجابات عن أسئلتكم حول السكن."),
        "ht": ("Enfòmasyon sou dwa lokatè", "Repons pou kesyon ou genyen sou lojman."),
    },
    "Aide juridique en famille": {
        "es": ("Ayuda jurídica familiar", "Separación, custodia de los hijos, pensión alimenticia."),
        "ar": ("مساعدة قانونية في شؤون الأسرة", "الانفصال، وحضانة الأطفال، والنفقة."),
        "ht": ("Èd jiridik pou fanmi", "Separasyon, gad timoun, pansyon."),
    },
    "Permanence avocats bénévoles": {
        "es": ("Atención de abogados voluntarios", "Un abogado voluntario le escucha."),
        "ar": ("مداومة المحامين المتطوعين", "محامٍ متطوع يستمع إليكم."),
        "ht": ("Pèmanans avoka volontè", "Yon avoka volontè ap koute w."),
    },
    "Accompagnement au tribunal": {
        "es": ("Acompañamiento al tribunal", "Alguien le acompaña al tribunal."),
        "ar": ("المرافقة إلى المحكمة", "شخص يرافقكم إلى المحكمة."),
        "ht": ("Akonpayman nan tribinal", "Yon moun ap akonpaye w nan tribinal la."),
    },
    "Centre des travailleuses et travailleurs": {
        "es": ("Centro de trabajadoras y trabajadores", "Salario impago, accidente, despido: conozca sus derechos."),
        "ar": ("مركز العاملات والعمال", "أجر غير مدفوع، حادث، فصل من العمل: اعرفوا حقوقكم."),
        "ht": ("Sant travayè ak travayèz", "Salè ki pa peye, aksidan, revokasyon: konnen dwa w."),
    },
    "Ligne d'aide salaire impayé": {
        "es": ("Línea de ayuda por salario impago", "Le ayudamos a recuperar su salario."),
        "ar": ("خط المساعدة للأجور غير المدفوعة", "نساعدكم على استرداد أجركم."),
        "ht": ("Liy èd pou salè ki pa peye", "N ap ede w rekipere salè w."),
    },
    "Atelier santé-sécurité au travail": {
        "es": ("Taller de salud y seguridad en el trabajo", "Sus derechos si se lesiona."),
        "ar": ("ورشة الصحة والسلامة في العمل", "حقوقكم في حال الإصابة."),
        "ht": ("Atelye sante ak sekirite nan travay", "Dwa w si ou blese."),
    },
    "Soutien aux travailleuses domestiques": {
        "es": ("Apoyo a las trabajadoras domésticas", "Acompañamiento de cuidadoras y trabajadoras del hogar."),
        "ar": ("دعم العاملات المنزليات", "مرافقة مقدّمات الرعاية والعاملات في المنازل."),
        "ht": ("Sipò pou travayèz domestik", "Akonpayman pou moun k ap travay lakay moun."),
    },
    "Café-emploi": {
        "es": ("Café-empleo", "Currículum y preparación para entrevistas."),
        "ar": ("مقهى التوظيف", "السيرة الذاتية والتحضير لمقابلات العمل."),
        "ht": ("Kafe-travay", "CV ak preparasyon pou entèvyou."),
    },
    "Francisation du quartier": {
        "es": ("Clases de francés del barrio", "Clases de francés gratuitas para adultos."),
        "ar": ("دروس الفرنسية في الحي", "دروس مجانية في اللغة الفرنسية للبالغين."),
        "ht": ("Kou franse nan katye a", "Kou franse gratis pou granmoun."),
    },
    "Aide aux devoirs": {
        "es": ("Ayuda con las tareas", "Voluntarios ayudan a sus hijos."),
        "ar": ("المساعدة في الواجبات المدرسية", "متطوعون يساعدون أطفالكم."),
        "ht": ("Èd pou devwa", "Volontè ap ede timoun ou yo."),
    },
    "Alphabétisation adultes": {
        "es": ("Alfabetización de adultos", "Aprender a leer y escribir a su ritmo."),
        "ar": ("محو أمية الكبار", "تعلّم القراءة والكتابة حسب وتيرتكم."),
        "ht": ("Alfabetizasyon pou granmoun", "Aprann li ak ekri dousman, jan w kapab."),
    },
    "Ateliers informatiques": {
        "es": ("Talleres de informática", "Correo electrónico, formularios en línea, teléfono inteligente."),
        "ar": ("ورشات الحاسوب", "البريد الإلكتروني، والاستمارات على الإنترنت، والهاتف الذكي."),
        "ht": ("Atelye enfòmatik", "Imèl, fòmilè sou entènèt, telefòn entèlijan."),
    },
    "Inscription scolaire accompagnée": {
        "es": ("Inscripción escolar acompañada", "Inscribir a su hijo en la escuela, sin miedo."),
        "ar": ("التسجيل المدرسي بمرافقة", "سجّلوا طفلكم في المدرسة، دون خوف."),
        "ht": ("Enskripsyon lekòl ak akonpayman", "Enskri pitit ou lekòl, san krent."),
    },
    "Bibliothèque de quartier": {
        "es": ("Biblioteca del barrio", "Carné gratuito, libros, internet y actividades."),
        "ar": ("مكتبة الحي", "بطاقة مجانية، وكتب، وإنترنت، وأنشطة."),
        "ht": ("Bibliyotèk katye a", "Kat gratis, liv, entènèt ak aktivite."),
    },
    "Heure du conte multilingue": {
        "es": ("Hora del cuento multilingüe", "Cuentos para niños en varios idiomas."),
        "ar": ("ساعة الحكايات متعددة اللغات", "قصص للأطفال بعدة لغات."),
        "ht": ("Lè istwa an plizyè lang", "Istwa pou timoun nan plizyè lang."),
    },
    "Maison de la culture": {
        "es": ("Casa de la cultura", "Espectáculos y exposiciones gratuitos."),
        "ar": ("دار الثقافة", "عروض ومعارض مجانية."),
        "ht": ("Kay kilti", "Espektak ak ekspozisyon gratis."),
    },
    "Club de conversation": {
        "es": ("Club de conversación", "Practicar francés tomando un café."),
        "ar": ("نادي المحادثة", "ممارسة الفرنسية حول فنجان قهوة."),
        "ht": ("Klib konvèsasyon", "Pratike franse pandan n ap bwè yon kafe."),
    },
    "Musée en famille": {
        "es": ("Museo en familia", "Entrada gratuita los domingos."),
        "ar": ("المتحف مع العائلة", "دخول مجاني يوم الأحد."),
        "ht": ("Mize an fanmi", "Antre gratis dimanch."),
    },
    "Bain libre à la piscine": {
        "es": ("Baño libre en la piscina", "Natación libre para todos."),
        "ar": ("سباحة حرة في المسبح", "سباحة حرة للجميع."),
        "ht": ("Naje lib nan pisin nan", "Naje lib pou tout moun."),
    },
    "Soccer communautaire": {
        "es": ("Fútbol comunitario", "Partidos amistosos, se presta el equipo."),
        "ar": ("كرة القدم المجتمعية", "مباريات ودية، والمعدات تُعار."),
        "ht": ("Foutbòl kominotè", "Match amikal, nou prete ekipman."),
    },
    "Patinage libre à l'aréna": {
        "es": ("Patinaje libre en la arena", "Préstamo gratuito de patines."),
        "ar": ("تزلج حر في الحلبة", "أحذية التزلج تُعار مجاناً."),
        "ht": ("Patinaj lib nan arena a", "Nou prete patin gratis."),
    },
    "Yoga au parc": {
        "es": ("Yoga en el parque", "Sesiones gratuitas en verano."),
        "ar": ("اليوغا في الحديقة", "حصص مجانية في الصيف."),
        "ht": ("Yoga nan pak la", "Seyans gratis nan sezon ete."),
    },
    "Gymnase ouvert jeunesse": {
        "es": ("Gimnasio abierto para jóvenes", "Baloncesto y bádminton para jóvenes de 12 a 17 años."),
        "ar": ("صالة رياضية مفتوحة للشباب", "كرة السلة والريشة الطائرة للفئة من 12 إلى 17 سنة."),
        "ht": ("Jimnaz louvri pou jèn", "Baskètbòl ak badminton pou jèn 12 a 17 an."),
    },
    "Halte-garderie communautaire": {
        "es": ("Guardería comunitaria por horas", "Unas horas de cuidado infantil para tomar un respiro."),
        "ar": ("حضانة مجتمعية مؤقتة", "بضع ساعات من رعاية الأطفال لتأخذوا قسطاً من الراحة."),
        "ht": ("Gadri kominotè pou kèk èdtan", "Kèk èdtan gadri pou w ka respire."),
    },
    "Maison des familles": {
        "es": ("Casa de las familias", "Actividades para padres e hijos y escucha."),
        "ar": ("بيت العائلات", "أنشطة للآباء والأطفال، وإصغاء."),
        "ht": ("Kay fanmi yo", "Aktivite paran ak timoun, ak moun pou koute w."),
    },
    "Joujouthèque": {
        "es": ("Juguetería de préstamo", "Tome juguetes prestados gratis."),
        "ar": ("مكتبة الألعاب", "استعيروا الألعاب مجاناً."),
        "ht": ("Bibliyotèk jwèt", "Prete jwèt gratis."),
    },
    "Cuisine pour bébés": {
        "es": ("Cocina para bebés", "Preparar los purés del bebé."),
        "ar": ("الطبخ للرضّع", "تحضير الأطعمة المهروسة للرضيع."),
        "ht": ("Kizin pou tibebe", "Prepare labouyi ak pire pou tibebe."),
    },
    "Camp de jour accessible": {
        "es": ("Campamento de día accesible", "Campamento de verano de bajo costo o gratuito."),
        "ar": ("مخيم نهاري في المتناول", "مخيم صيفي منخفض التكلفة أو مجاني."),
        "ht": ("Kan jounen aksesib", "Kan ete ki pa chè oswa gratis."),
    },
    "Maison d'hébergement pour femmes": {
        "es": ("Casa de acogida para mujeres", "Alojamiento seguro para mujeres y niños víctimas de violencia."),
        "ar": ("دار إيواء للنساء", "سكن آمن للنساء والأطفال ضحايا العنف."),
        "ht": ("Kay akèy pou fanm", "Lojman an sekirite pou fanm ak timoun ki viktim vyolans."),
    },
    "Centre des femmes": {
        "es": ("Centro de mujeres", "Lugar de ayuda mutua e información."),
        "ar": ("مركز النساء", "مكان للتضامن والمعلومات."),
        "ht": ("Sant fanm", "Kote pou youn ede lòt epi jwenn enfòmasyon."),
    },
    "Ligne d'écoute violence conjugale": {
        "es": ("Línea de escucha sobre violencia conyugal", "Escucha las 24 horas, anónima."),
        "ar": ("خط الإصغاء لضحايا العنف الزوجي", "إصغاء على مدار 24 ساعة، دون ذكر الاسم."),
        "ht": ("Liy koute pou vyolans nan koup", "Koute 24 sou 24, anonim."),
    },
    "Groupe de soutien mères nouvelles arrivantes": {
        "es": ("Grupo de apoyo para madres recién llegadas", "Encuentros entre madres."),
        "ar": ("مجموعة دعم للأمهات القادمات حديثاً", "لقاءات بين الأمهات."),
        "ht": ("Gwoup sipò pou manman ki fèk rive", "Rankont ant manman."),
    },
    "Ateliers d'autodéfense": {
        "es": ("Talleres de autodefensa", "Talleres gratuitos para mujeres."),
        "ar": ("ورشات الدفاع عن النفس", "ورشات مجانية للنساء."),
        "ht": ("Atelye pou defann tèt ou", "Atelye gratis pou fanm."),
    },
    "Aide d'urgence 24 h": {
        "es": ("Ayuda de urgencia 24 h", "¿Necesidad urgente? Llame y le orientamos."),
        "ar": ("مساعدة طارئة على مدار 24 ساعة", "حاجة عاجلة؟ اتصلوا وسنوجّهكم."),
        "ht": ("Èd ijans 24 è", "Ou gen yon ijans? Rele, n ap oryante w."),
    },
    "Refuge d'urgence pour jeunes": {
        "es": ("Albergue de urgencia para jóvenes", "Alojamiento de urgencia para jóvenes de 18 a 25 años."),
        "ar": ("ملجأ طوارئ للشباب", "سكن طارئ للفئة من 18 إلى 25 سنة."),
        "ht": ("Abri ijans pou jèn", "Lojman ijans pou jèn 18 a 25 an."),
    },
    "Aide aux sinistrés": {
        "es": ("Ayuda a los damnificados", "Después de un incendio o una inundación."),
        "ar": ("مساعدة المنكوبين", "بعد حريق أو فيضان."),
        "ht": ("Èd pou viktim dezas", "Apre yon dife oswa yon inondasyon."),
    },
    "Vestiaire d'urgence": {
        "es": ("Ropero de urgencia", "Ropa de abrigo gratuita."),
        "ar": ("خزانة ملابس طارئة", "ملابس دافئة مجانية."),
        "ht": ("Rad pou ijans", "Rad cho gratis."),
    },
    "Centre de crise": {
        "es": ("Centro de crisis", "Intervención en crisis sin cita."),
        "ar": ("مركز الأزمات", "تدخّل في الأزمات بدون موعد."),
        "ht": ("Sant kriz", "Entèvansyon nan kriz san randevou."),
    },
    "Ouvrir un compte bancaire": {
        "es": ("Abrir una cuenta bancaria", "Acompañamiento para abrir una cuenta sin número de seguro social."),
        "ar": ("فتح حساب مصرفي", "مرافقة لفتح حساب دون رقم التأمين الاجتماعي."),
        "ht": ("Louvri yon kont labank", "Akonpayman pou louvri yon kont san nimewo asirans sosyal."),
    },
    "Clinique d'impôts bénévole": {
        "es": ("Clínica de impuestos voluntaria", "Declaraciones de impuestos gratuitas."),
        "ar": ("عيادة ضرائب تطوعية", "تعبئة التصاريح الضريبية مجاناً."),
        "ht": ("Klinik enpo volontè", "Deklarasyon enpo gratis."),
    },
    "Budget et dettes": {
        "es": ("Presupuesto y deudas", "Asesoría confidencial sobre el presupuesto."),
        "ar": ("الميزانية والديون", "نصائح سرية حول الميزانية."),
        "ht": ("Bidjè ak dèt", "Konsèy konfidansyèl sou bidjè."),
    },
    "Microcrédit communautaire": {
        "es": ("Microcrédito comunitario", "Pequeños préstamos sin intereses."),
        "ar": ("القروض الصغيرة المجتمعية", "قروض صغيرة بلا فوائد."),
        "ht": ("Mikwokredi kominotè", "Ti prè san enterè."),
    },
    "Transfert d'argent à coût réduit": {
        "es": ("Envíos de dinero a bajo costo", "Información sobre envíos de dinero al extranjero."),
        "ar": ("تحويل الأموال بتكلفة منخفضة", "معلومات عن التحويلات إلى الخارج."),
        "ht": ("Transfè lajan pou pi piti pri", "Enfòmasyon sou transfè lajan lòt bò dlo."),
    },
}

# The texts every demo entry shares, with ``{borough}`` or ``{name}`` / ``{description}`` to fill.
SHARED: dict[str, dict[str, str]] = {
    "organization_name": {
        "fr": "{name} – {borough} (fictif)",
        "en": "{name} – {borough} (fictional)",
        "es": "{name} – {borough} (ficticio)",
        "ar": "{name} – {borough} (وهمي)",
        "ht": "{name} – {borough} (fiktif)",
    },
    "organization_description": {
        "fr": "Organisme communautaire fictif. {description}",
        "en": "Fictional community organisation. {description}",
        "es": "Organización comunitaria ficticia. {description}",
        "ar": "منظمة مجتمعية وهمية. {description}",
        "ht": "Òganizasyon kominotè fiktif. {description}",
    },
    "eligibility": {
        "fr": "Ouvert à tous, sans question sur le statut.",
        "en": "Open to everyone, no status question.",
        "es": "Abierto a todas las personas, sin preguntas sobre el estatus migratorio.",
        "ar": "مفتوح للجميع، بلا أي سؤال عن الوضع القانوني.",
        "ht": "Louvri pou tout moun, san okenn kesyon sou estati.",
    },
    "fees": {
        "fr": "Contribution volontaire de 2 $.",
        "en": "Voluntary $2 contribution.",
        "es": "Contribución voluntaria de 2 $.",
        "ar": "مساهمة طوعية قدرها 2 دولار.",
        "ht": "Kontribisyon volontè 2 $.",
    },
    "location_name": {
        "fr": "Point de service {borough}",
        "en": "{borough} service point",
        "es": "Punto de servicio {borough}",
        "ar": "نقطة خدمة {borough}",
        "ht": "Pwen sèvis {borough}",
    },
    "accessibility": {
        "fr": "Entrée de plain-pied, toilettes adaptées.",
        "en": "Step-free entrance, accessible washroom.",
        "es": "Entrada sin escalones, baño adaptado.",
        "ar": "مدخل بلا درجات، ودورة مياه مهيّأة.",
        "ht": "Antre san mach eskalye, twalèt adapte.",
    },
    "intake": {
        "fr": "Appelez la ligne d'accueil : l'adresse est donnée au téléphone.",
        "en": "Call the intake line: the address is given over the phone.",
        "es": "Llame a la línea de acogida: la dirección se da por teléfono.",
        "ar": "اتصلوا بخط الاستقبال: يُعطى العنوان عبر الهاتف.",
        "ht": "Rele liy akèy la: y ap ba w adrès la nan telefòn.",
    },
    "holidays_closure": {
        "fr": "Fermé pour les Fêtes",
        "en": "Closed for the holidays",
        "es": "Cerrado por las fiestas",
        "ar": "مغلق في فترة الأعياد",
        "ht": "Fèmen pou fèt fen ane yo",
    },
    "christmas": {"fr": "Noël", "en": "Christmas", "es": "Navidad", "ar": "عيد الميلاد", "ht": "Nwèl"},
    "new_year": {
        "fr": "Jour de l'An",
        "en": "New Year's Day",
        "es": "Año Nuevo",
        "ar": "رأس السنة الميلادية",
        "ht": "Jou de lan",
    },
}


def shared(key: str, **values) -> dict[str, str]:
    """One shared text in the five languages, its placeholders filled (per language when a value
    is itself a dict of languages)."""
    return {
        lang: text.format(**{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})
        for lang, text in SHARED[key].items()
    }
