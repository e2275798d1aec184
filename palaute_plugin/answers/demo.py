"""Demo content of answers approved before they are sent: the workflow and an approver
group for a sensitive category. Called by ``manage.py palaute_demo``; safe to run again."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Workflow, WorkflowContentType, WorkflowTask

from .models import AnswerApprovalTask, AnswerDraft

WORKFLOW_NAME = "Vastausten hyväksyntä"
TASK_NAME = "Vastauksen hyväksyntä"
APPROVER_GROUP_NAME = "Asumisneuvonnan vastausten hyväksyjät"
#: The sensitive demo category whose answers need approval (housing counselling).
CATEGORY = ("asumisneuvonta", "Asumisneuvonta ja asumisen tuki", "Boenderådgivning och stöd",
            "Housing counselling and support")


def setup_workflow():
    """The active workflow for answers: one task, approved by each answer's category's
    approver group."""
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = AnswerApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = AnswerApprovalTask.objects.create(name=TASK_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr,
                                       defaults={"sort_order": 0})
    content_type = ContentType.objects.get_for_model(AnswerDraft)
    WorkflowContentType.objects.update_or_create(content_type=content_type,
                                                 defaults={"workflow": workflow})
    return workflow


def approver_group():
    """The approvers' group, with access to the Wagtail admin."""
    group, _ = Group.objects.get_or_create(name=APPROVER_GROUP_NAME)
    group.permissions.add(Permission.objects.get(codename="access_admin",
                                                 content_type__app_label="wagtailadmin"))
    return group


def require_approval(category, approvers):
    category.answer_approvers = approvers
    category.save(update_fields=["answer_approvers"])
    return category
