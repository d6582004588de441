"""Public names of the document types in Spanish, Arabic and Haitian Creole, so that the clinics'
public pre-check lists the desk's own document types in every public language."""

from django.db import migrations, models

# code: (Spanish, Arabic, Haitian Creole); French and English are the name_fr / name_en columns.
NAMES = {
    "passport": (
        "Pasaporte (aunque esté vencido)",
        "جواز سفر (حتى لو كان منتهي الصلاحية)",
        "Paspò (menm si li ekspire)",
    ),
    "foreign-id": (
        "Documento nacional de identidad extranjero (aunque esté vencido)",
        "بطاقة هوية وطنية أجنبية (حتى لو كانت منتهية الصلاحية)",
        "Kat idantite nasyonal yon lòt peyi (menm si li ekspire)",
    ),
    "consular-id": ("Tarjeta de identidad consular", "بطاقة هوية قنصلية", "Kat idantite konsila"),
    "permit": (
        "Permiso de trabajo o de estudios (aunque esté vencido)",
        "تصريح عمل أو دراسة (حتى لو كان منتهي الصلاحية)",
        "Pèmi travay oswa pèmi etid (menm si li ekspire)",
    ),
    "driver-licence": (
        "Licencia de conducir (Quebec, otra provincia u otro país)",
        "رخصة قيادة (من كيبيك أو من مقاطعة أخرى أو من بلد آخر)",
        "Lisans pou kondui (Kebèk, yon lòt pwovens oswa yon lòt peyi)",
    ),
    "health-card": ("Tarjeta de seguro médico", "بطاقة التأمين الصحي", "Kat asirans maladi"),
    "birth-certificate": ("Acta de nacimiento", "شهادة الميلاد", "Ak nesans (batistè)"),
    "school-record": ("Expediente escolar o diploma", "سجل مدرسي أو شهادة دراسية", "Dosye lekòl oswa diplòm"),
    "medical-record": (
        "Historia clínica o cartilla de vacunación",
        "سجل طبي أو بطاقة تطعيم",
        "Dosye medikal oswa kanè vaksen",
    ),
    "lease": ("Contrato de arrendamiento o de alquiler", "عقد إيجار", "Kontra lwaye"),
    "utility-bill": (
        "Factura de servicios (electricidad, teléfono, internet)",
        "فاتورة خدمات (كهرباء، هاتف، إنترنت)",
        "Bòdwo sèvis (kouran, telefòn, entènèt)",
    ),
    "bank-statement": ("Estado de cuenta bancario", "كشف حساب مصرفي", "Relve kont labank"),
    "pay-stub": ("Recibo de nómina", "قسيمة الراتب", "Fich pewòl"),
    "shelter-letter": (
        "Carta de un albergue o de una organización asociada",
        "رسالة من مأوى أو من منظمة شريكة",
        "Lèt yon abri oswa yon òganizasyon patnè",
    ),
    "school-letter": (
        "Carta de una escuela (para la persona o para su hijo o hija)",
        "رسالة من مدرسة (للشخص نفسه أو لطفله)",
        "Lèt yon lekòl (pou moun nan oswa pou pitit li)",
    ),
}


def fill(apps, schema_editor):
    DocumentType = apps.get_model("cards", "DocumentType")
    for document_type in DocumentType.objects.filter(code__in=NAMES):
        es, ar, ht = NAMES[document_type.code]
        # An administrator may already have written some: theirs win.
        document_type.names = {"es": es, "ar": ar, "ht": ht, **(document_type.names or {})}
        document_type.save(update_fields=["names"])


class Migration(migrations.Migration):
    dependencies = [("cards", "0003_card_renewal_reminded_at")]
    operations = [
        migrations.AddField(
            model_name="documenttype",
            name="names",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='{"es": ..., "ar": ..., "ht": ...}; a missing language shows the French name.',
                verbose_name="names in the other public languages",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
