"""Every model that holds personal data, and how export and deletion cover it.

A test walks all models: one with a foreign key to a user or a learner (directly
or through another such model) must be listed here, so a new table of personal
data cannot slip past "Mina uppgifter" and account deletion.
"""

PERSONAL_DATA_MODELS = {
    # model label: how export_learner_data / delete_account cover it
    "learning.Learner": "exported as 'learner'; deleted with the account (and by purge_learners)",
    "learning.LessonProgress": "exported as 'lessons'; cascades from Learner",
    "learning.QuizSubmission": "exported as 'quiz_submissions'; cascades from Learner",
    "learning.QuestionResponse": "exported inside 'quiz_submissions'; cascades from submission",
    "learning.CourseCompletion": "exported as 'certificates'; cascades from Learner",
    # Accounts and authentication (allauth, Django, Wagtail): deleted with the user.
    "account.EmailAddress": "the e-mail is exported as 'account.email'; cascades from User",
    "account.EmailConfirmation": "short-lived; cascades from EmailAddress",
    "mfa.Authenticator": "a secret, never exported; cascades from User",
    "wagtailusers.UserProfile": "admin preferences; cascades from User",
    "auth.User_groups": "group membership; cascades from User",
    "auth.User_user_permissions": "cascades from User",
    "wagtailcore.PageSubscription": "editor notification settings; cascades from User",
    "wagtailcore.APIToken": "an access secret, never exported; cascades from User",
    "wagtailadmin.FormState": "an editor's unsaved form; cascades from User",
}

# Models that point at users only as the author of editorial content: the content
# stays when an editor's account is deleted (Wagtail sets the author to NULL).
EDITORIAL_MODELS = {
    "wagtailcore.Page",
    "wagtailcore.Revision",
    "wagtailcore.PageLogEntry",
    "wagtailcore.ModelLogEntry",
    "wagtailcore.WorkflowState",
    "wagtailcore.TaskState",
    "wagtailcore.Comment",
    "wagtailcore.CommentReply",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.UploadedFile",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailadmin.EditingSession",
    "wagtail_localize.Translation",
    "wagtail_localize.TranslationSource",
    "wagtail_localize.StringTranslation",
    "wagtail_localize.OverridableSegment",
    "wagtail_localize.SegmentOverride",
    "wagtail_localize.TranslationLog",
    "wagtail_localize.TranslationContext",
    "wagtailcore.Task",
    "wagtailcore.Workflow",
    "wagtailcore.GroupPagePermission",
    "wagtailcore.GroupCollectionPermission",
    "wagtailembeds.Embed",
    "wagtailsearch.IndexEntry",
    "taggit.TaggedItem",
    "wagtailcore.ReferenceIndex",
    "wagtail_localize.LocaleSynchronization",
    "h5p.H5PActivity",  # uploaded_by: the editor who uploaded it (SET_NULL on deletion)
}
