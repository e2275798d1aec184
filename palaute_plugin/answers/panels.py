"""What the approver reads beside the answer: the case it answers."""

from wagtail.admin.panels import Panel


class AnswerContextPanel(Panel):
    """The case's reference, kind, language and message, and what approval will do."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "palaute_plugin/admin/answer_context.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            answer = self.instance
            context.update({
                "answer": answer,
                "feedback": answer.feedback if answer.feedback_id else None,
            })
            if answer.pk and answer.feedback_id and answer.sent_at is None:
                from .approval import needs_another_approver
                from .models import approvable_by, is_writer

                user = self.request.user
                context["own_answer"] = (is_writer(answer, user) and approvable_by(user)
                                         .filter(pk=answer.pk).exists())
                context["needs_another_approver"] = needs_another_approver(answer)
                context["approver_group"] = answer.feedback.category.answer_approvers
            return context
