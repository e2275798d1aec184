"""Answers to residents approved before they are sent (``AnswerDraft``) and their workflow."""
