"""Wagtail's workflow emails about a snippet (a feedback publication), in Finnish and
Swedish: Wagtail 8.0's own catalogs lack these sentences, so a moderator got them in
English. Listed here so that ``makemessages`` keeps them in this app's catalogs; the
msgids must stay exactly as Wagtail's templates (``wagtailadmin/notifications/``) write
them. An app listed before ``wagtail.admin`` in ``INSTALLED_APPS`` wins a conflict."""

from django.utils.translation import gettext_noop

WAGTAIL_WORKFLOW_EMAILS = [
    gettext_noop('The %(model_name)s "%(title)s" has been approved in moderation stage '
                 '"%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected in moderation stage '
                 '"%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted for approval in '
                 'moderation stage "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted for approval to '
                 'moderation stage "%(task)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted for approval in '
                 'moderation stage "%(task)s"'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in workflow '
                 '"%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been approved in "%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(task)s" in '
                 'workflow "%(workflow)s" by %(rejector)s.'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during "%(task)s" in '
                 'workflow "%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been rejected during '
                 '"%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted for moderation to '
                 'workflow "%(workflow)s" by %(requester)s.'),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted for moderation to '
                 'workflow "%(workflow)s".'),
    gettext_noop('The %(model_name)s "%(title)s" has been submitted to workflow '
                 '"%(workflow)s"'),
    # Wagtail's Finnish puts the name in the nominative after the verb ("Voit muokata
    # palautteen julkaisu täällä"): ours name it in brackets, as the sentences above.
    gettext_noop("You can edit the %(model_name)s here:"),
    gettext_noop("You can preview the %(model_name)s here:"),
]

#: Wagtail's screens and messages around the workflows whose sentences Wagtail 8.0's
#: Finnish and Swedish catalogs lack (a staff member read them in English).
WAGTAIL_ADMIN_SCREENS = [
    gettext_noop("Go to the first error"),
    gettext_noop("Only reviewers for this task can edit the %(model_name)s."),
    gettext_noop("Only reviewers can edit and approve the %(model_name)s"),
    gettext_noop("Changes requested at"),
    gettext_noop("Task submitted by"),
    gettext_noop("Workflow on %(model_name)s '%(object)s' has been restarted."),
    gettext_noop("This data explained"),
    gettext_noop("%(model_name)s '%(object)s' has been submitted for moderation."),
    gettext_noop("Workflow on %(model_name)s '%(object)s' has been cancelled."),
    gettext_noop("There are no %(model_name)s to display."),
    gettext_noop("Autosave is paused"),
    gettext_noop("There are validation errors, click save to highlight them."),
]

#: Wagtail's Finnish that reads wrongly: "Mallin Palautteen julkaisu '…' päivitetty." (the
#: model's name in the genitive after "Mallin"); the dashboard's search box in English.
WAGTAIL_FINNISH_CORRECTED = [
    gettext_noop("%(model_name)s '%(object)s' updated."),
    gettext_noop("%(model_name)s '%(object)s' created."),
    gettext_noop("Search all pages…"),
]

#: Wagtail's Finnish for the inbox's bulk selection reads "2 items tietuetta valittu"
#: (the English word left in): this app's catalog corrects it.
WAGTAIL_BULK_SELECTION = [
    gettext_noop("%(objects)s items selected"),
]
