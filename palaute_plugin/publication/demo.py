"""Demo content of the moderated publication: the workflow, its moderator and a few
published cases. Called by ``manage.py palaute_demo``; safe to run again."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Workflow, WorkflowContentType, WorkflowTask

from .actions import propose
from .models import FeedbackPublication
from .tasks import PublicationApprovalTask

WORKFLOW_NAME = "Palautteen julkaisu"
TASK_NAME = "Moderaattorin hyväksyntä"
MODERATOR_PERMISSIONS = ("add_feedbackpublication", "change_feedbackpublication",
                         "delete_feedbackpublication", "publish_feedbackpublication",
                         "lock_feedbackpublication", "unlock_feedbackpublication")


def publication_permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="palaute_plugin",
                                     codename__in=codenames)


def setup_workflow(moderators, handler_groups):
    """The active workflow "Palautteen julkaisu" for publications, approved by
    ``moderators``; handlers may edit the drafts they proposed."""
    moderators.permissions.add(*publication_permissions(*MODERATOR_PERMISSIONS))
    for group in handler_groups:
        group.permissions.add(*publication_permissions("change_feedbackpublication"))
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = PublicationApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = PublicationApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(moderators)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr,
                                       defaults={"sort_order": 0})
    content_type = ContentType.objects.get_for_model(FeedbackPublication)
    WorkflowContentType.objects.update_or_create(content_type=content_type,
                                                 defaults={"workflow": workflow})
    return workflow


def publish_examples(cases, *, handler_for, moderator):
    """Propose each case (by its category's handler) and approve it as ``moderator``."""
    published = []
    for case in cases:
        if FeedbackPublication.objects.filter(feedback=case).exists():
            continue
        publication = propose(case, user=handler_for(case))
        state = publication.current_workflow_state
        if state is not None:
            state.current_task_state.approve(user=moderator)
        published.append(publication)
    return published
