// Marks the page as having JavaScript before it is drawn, so that the NHS.UK frontend's
// enhanced components (the header's "More" menu) are styled from the first paint. A file,
// not an inline script, because the Content-Security-Policy allows only 'self'.
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
