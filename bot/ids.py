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

# Modal callback ids (view_submission).
VIEW_DEVELOPER_STATUS = "developer_status_form"
VIEW_ADD_DEVELOPER = "add_developer_form"
VIEW_MODEL = "model_form"
VIEW_DEADLINE = "deadline_form"
VIEW_REMOVE_CONFIRM = "remove_confirm_form"
VIEW_SUBSCRIBE = "subscribe_form"

# Alert and news message buttons.
ACTION_ALERT_ACKNOWLEDGE = "alert_acknowledge"
ACTION_NEWS_UPDATE_TRACKER = "news_update_tracker"
