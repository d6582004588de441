from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from sanspeur.core.jobs import JobCommand

from ... import keys


class Command(JobCommand):
    help = "Rebuild and sign every status list and the trust list (served under /.well-known/sanspeur/)."

    def handle(self, *args, **options):
        try:
            count, _name = keys.publish_all()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"published {count} status list(s) and the trust list")
