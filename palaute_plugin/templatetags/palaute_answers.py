"""The case screen's notice of an answer awaiting approval."""

from django import template

from ..answers.approval import needs_another_approver, pending_answer

register = template.Library()


@register.inclusion_tag("palaute_plugin/admin/includes/case_pending_answer.html",
                        takes_context=True)
def case_pending_answer(context, feedback):
    answer = pending_answer(feedback)
    workflow_state = answer.current_workflow_state if answer else None
    needs_changes = workflow_state is not None and workflow_state.status == "needs_changes"
    comment = ""
    if needs_changes and workflow_state.current_task_state:
        comment = workflow_state.current_task_state.get_comment()
    in_review = workflow_state is not None and not needs_changes
    return {
        "feedback": feedback,
        "answer": answer,
        "in_review": in_review,
        "needs_another_approver": in_review and needs_another_approver(answer),
        "approver_group": feedback.category.answer_approvers if in_review else None,
        "needs_changes": needs_changes,
        "comment": comment,
        "request": context["request"],
    }
