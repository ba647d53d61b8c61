// Anchor for the precompiled test headers (cmake/postamt.cmake).
