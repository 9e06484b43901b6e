"""The public register of Notices of Motion (/motions/) and its staff desk (/desk/motions/)."""
