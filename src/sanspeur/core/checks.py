"""System checks of the project's own configuration."""

from django.core import checks

from sanspeur.settings import registry


def unknown_environment_variables(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """sanspeur.W001: a SANSPEUR_* variable declared nowhere is usually a typo that keeps a default."""
    warnings = []
    for name, closest in registry.unknown():
        hint = f"Did you mean {closest}? " if closest else ""
        warnings.append(
            checks.Warning(
                f"{name} is set in the environment but is not a Sans peur setting: it is ignored.",
                hint=hint + "Every setting is listed by `sanspeur settings_doc` (docs/deploy.md).",
                id="sanspeur.W001",
            )
        )
    return warnings
