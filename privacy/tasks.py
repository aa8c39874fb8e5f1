"""Workers for leaving and your data; thin wrappers around privacy/services.py and export.py."""

from celery import shared_task

from . import export, services


@shared_task(name="privacy.tasks.delete_account", acks_late=True)
def delete_account(user_id: int) -> bool:
    """Queued when a person deletes their account (the sweep below catches any the broker lost)."""
    return services.account_purge(user_id=user_id)


@shared_task(name="privacy.tasks.finish_account_deletions")
def finish_account_deletions() -> int:
    """Beat, every minute: pending deletions (lost messages, reports now resolved), old exports."""
    export.exports_purge_old()
    return services.account_deletions_finish()


@shared_task(name="privacy.tasks.build_export", acks_late=True)
def build_export(export_id: str) -> None:
    export.export_build(export_id=export_id)
