"""The moderated public record of a case (``FeedbackPublication``) and its workflow."""
