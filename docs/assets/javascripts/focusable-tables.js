/* Material wraps every table in a scrolling box (.md-typeset__scrollwrap) when the page
   loads. On a narrow screen a wide table scrolls sideways; a keyboard can only scroll what
   it can focus (WCAG 2.1.1, axe: scrollable-region-focusable). Material's own code blocks
   are focusable; make its table boxes focusable too. */
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
    box.tabIndex = 0;
  });
});
