"""Every Slack callback_id, action_id and block_id the app uses, named once.

Builders (bot/) put these on views and messages; listeners (handlers/) match on them.
"""

# App Home admin buttons (the admin forms open from these, and from /aireview admin).
ACTION_ADMIN_UPDATE_STATUS = "admin_update_status"
ACTION_ADMIN_ADD_DEVELOPER = "admin_add_developer"
ACTION_ADMIN_ADD_MODEL = "admin_add_model"
ACTION_ADMIN_EDIT_MODEL = "admin_edit_model"
ACTION_ADMIN_REMOVE_MODEL = "admin_remove_model"
ACTION_ADMIN_ADD_DEADLINE = "admin_add_deadline"
ACTION_ADMIN_EDIT_DEADLINE = "admin_edit_deadline"
ACTION_ADMIN_REMOVE_DEADLINE = "admin_remove_deadline"
ACTION_ADMIN_ADD_EVENT = "admin_add_event"
ACTION_ADMIN_EDIT_EVENT = "admin_edit_event"
ACTION_ADMIN_CONTEST = "admin_contest"
ACTION_ADMIN_SETTLE_CONTEST = "admin_settle_contest"
ADMIN_FORM_ACTIONS = (
    ACTION_ADMIN_UPDATE_STATUS,
    ACTION_ADMIN_ADD_DEVELOPER,
    ACTION_ADMIN_ADD_MODEL,
    ACTION_ADMIN_EDIT_MODEL,
    ACTION_ADMIN_REMOVE_MODEL,
    ACTION_ADMIN_ADD_DEADLINE,
    ACTION_ADMIN_EDIT_DEADLINE,
    ACTION_ADMIN_REMOVE_DEADLINE,
    ACTION_ADMIN_ADD_EVENT,
    ACTION_ADMIN_EDIT_EVENT,
    ACTION_ADMIN_CONTEST,
    ACTION_ADMIN_SETTLE_CONTEST,
)

# Modal callback ids (view_submission).
VIEW_DEVELOPER_STATUS = "developer_status_form"
VIEW_ADD_DEVELOPER = "add_developer_form"
VIEW_MODEL = "model_form"
VIEW_DEADLINE = "deadline_form"
VIEW_REMOVE_CONFIRM = "remove_confirm_form"
VIEW_EVENT = "event_form"
VIEW_CONTEST = "contest_form"
VIEW_SETTLE_CONTEST = "settle_contest_form"
VIEW_SUBSCRIBE = "subscribe_form"

# Alert and news message buttons.
ACTION_ALERT_ACKNOWLEDGE = "alert_acknowledge"
ACTION_NEWS_UPDATE_TRACKER = "news_update_tracker"
ACTION_NEWS_ADD_EVENT = "news_add_event"  # opens the event form prefilled from the item

# Admin forms (bot/admin/forms.py). An ACTION_ADMIN_* button's value, when set, names the record
# (developer id, model id, deadline id) the form opens on; without one a picker comes first.
# Buttons may also use "<ACTION_ADMIN_...>:<anything>" ids (several on one surface).
VIEW_PICK_RECORD = "pick_record_form"
VIEW_ADMIN_NOTICE = "admin_notice"
ACTION_FORM_DEVELOPER_PICK = "form_developer_pick"  # status form: reload for another developer
BLOCK_DEVELOPER = "developer"
BLOCK_STATUS = "status"
BLOCK_EFFECTIVE_DATE = "effective_date"
BLOCK_EFFECTIVE_PRECISION = "effective_precision"  # each date's "known to the day/month/year"
BLOCK_AGREEMENT_DATE = "agreement_date"
BLOCK_AGREEMENT_PRECISION = "agreement_precision"
BLOCK_RELEASED_PRECISION = "released_precision"
BLOCK_SOURCE = "source"  # a new source: its URL or citation
BLOCK_SOURCE_PICK = "source_pick"  # or one already recorded
BLOCK_SOURCE_TITLE = "source_title"
BLOCK_SOURCE_PUBLISHED = "source_published"
BLOCK_SOURCE_PUBLISHED_PRECISION = "source_published_precision"  # known to the day, month or year
BLOCK_NOTE = "note"
BLOCK_CONTESTED = "contested"
BLOCK_NAME = "name"
BLOCK_PLANNED_RELEASE = "planned_release"
BLOCK_SUBMITTED = "submitted"
BLOCK_RELEASED = "released"
BLOCK_REVIEW_STATUS = "review_status"
BLOCK_TITLE = "title"
BLOCK_DUE_DATE = "due_date"
BLOCK_KIND = "kind"
BLOCK_OUTCOME = "outcome"
BLOCK_EVENT_KIND = "event_kind"
BLOCK_EVENT_DEVELOPERS = "event_developers"
BLOCK_SUMMARY = "summary"
BLOCK_SUBJECT = "subject"  # contest form: an event or a deadline (developers: BLOCK_DEVELOPER)
BLOCK_FACT = "fact"
BLOCK_REASON = "reason"
BLOCK_CLAIM_A = "claim_a"
BLOCK_CLAIM_A_SOURCE = "claim_a_source"
BLOCK_CLAIM_A_NEW_SOURCE = "claim_a_new_source"  # or a new source for the claim: link or citation
BLOCK_CLAIM_B = "claim_b"
BLOCK_CLAIM_B_SOURCE = "claim_b_source"
BLOCK_CLAIM_B_NEW_SOURCE = "claim_b_new_source"
BLOCK_SETTLE = "settle"
BLOCK_PICK = "pick"
BLOCK_CONFIRM = "confirm"
ACTION_FIELD = "value"  # the one element in each form input block

# App Home dashboard (bot/read/home.py).
BLOCK_HOME_ADMIN_ACTIONS = "home_admin_actions"

# Alerts: the alert message's button row and acknowledgement line (bot/alerts/blocks.py),
# and the subscribe form's input blocks (bot/alerts/subscribe_form.py; each holds one
# ACTION_FIELD element).
BLOCK_ALERT_ACTIONS = "alert_actions"
BLOCK_ALERT_ACK = "alert_ack"
BLOCK_SUBSCRIBE_KINDS = "subscribe_kinds"
BLOCK_SUBSCRIBE_LEADS = "subscribe_leads"
BLOCK_SUBSCRIBE_MODE = "subscribe_mode"
BLOCK_SUBSCRIBE_DEVELOPERS = "subscribe_developers"
BLOCK_SUBSCRIBE_DELIVERY_DAYS = "subscribe_delivery_days"
BLOCK_SUBSCRIBE_QUIET_START = "subscribe_quiet_start"
BLOCK_SUBSCRIBE_QUIET_END = "subscribe_quiet_end"
BLOCK_SUBSCRIBE_THREADS = "subscribe_threads"
BLOCK_SUBSCRIBE_BRIEFING = "subscribe_briefing"
BLOCK_ALERT_UPDATED = "alert_updated"
ACTION_ALERT_MORE = "alert_more"  # the alert's overflow menu: Remind me..., Mute this subject here
ACTION_ALERT_UNMUTE = "alert_unmute"
VIEW_MUTE = "mute_form"
BLOCK_MUTE_UNTIL = "mute_until"

# Type-ahead menus (bot/menus.py): Slack asks handlers/menus.py for their options as the
# user types. The status form's developer menu keeps ACTION_FORM_DEVELOPER_PICK (choosing
# reloads the form) and is served the developer options too.
ACTION_MENU_DEVELOPER = "menu_developer"
ACTION_MENU_MODEL = "menu_model"
ACTION_MENU_DEADLINE = "menu_deadline"
ACTION_MENU_SOURCE = "menu_source"
ACTION_MENU_EVENT = "menu_event"
ACTION_MENU_SUBJECT = "menu_subject"  # an event or a deadline (the contest form)

# The admin forms (callback ids, which handlers/views.py registers), each with the block
# where an error about the whole form (not one field) is shown.
ADMIN_FORM_MAIN_BLOCK = {
    VIEW_DEVELOPER_STATUS: BLOCK_STATUS,
    VIEW_ADD_DEVELOPER: BLOCK_NAME,
    VIEW_MODEL: BLOCK_NAME,
    VIEW_DEADLINE: BLOCK_TITLE,
    VIEW_REMOVE_CONFIRM: BLOCK_CONFIRM,
    VIEW_PICK_RECORD: BLOCK_PICK,
    VIEW_EVENT: BLOCK_SUMMARY,
    VIEW_CONTEST: BLOCK_REASON,
    VIEW_SETTLE_CONTEST: BLOCK_SETTLE,
}
