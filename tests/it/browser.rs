//! Browser tests (Chromium through chromedriver); written with the UI.
