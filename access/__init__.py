"""Who may see and do what: users' roles and the scope they are limited to, sign-in, and the
one gate every request goes through (see ``access.viewer``)."""
