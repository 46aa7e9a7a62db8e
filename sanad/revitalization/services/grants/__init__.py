"""Business-grant writes: calls, applications, scoring (committee), agreements, visits."""
