/* Figures open full screen: a figure is a link (.notes-zoom, made by scripts/figure_markup.py)
   to its SVG; with this script a click, a tap or Enter shows it in a modal <dialog> instead,
   in the palette and layout the page shows. Escape, the close button or a click on the
   backdrop closes it and focus returns to the figure. A click on the picture switches
   between "fit the screen" and twice that size (then it scrolls). No library, no request. */
(function () {
  var dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "notes-lightbox";
    dialog.setAttribute("aria-label", "그림 크게 보기");
    dialog.innerHTML =
      '<button type="button" class="notes-lightbox__close" aria-label="닫기">\u00d7</button>' +
      '<div class="notes-lightbox__body" tabindex="0"></div><p class="notes-lightbox__caption"></p>';
    dialog.querySelector("button").addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
    dialog.querySelector(".notes-lightbox__body").addEventListener("click", function (event) {
      if (event.target.tagName === "IMG") dialog.classList.toggle("notes-lightbox--zoomed");
    });
    document.body.appendChild(dialog);
  }

  function open(link) {
    if (!dialog || !document.body.contains(dialog)) build();
    var body = dialog.querySelector(".notes-lightbox__body");
    body.replaceChildren();
    link.querySelectorAll("picture").forEach(function (picture) {
      var copy = picture.cloneNode(true);
      copy.querySelectorAll("img").forEach(function (img) {
        img.removeAttribute("loading");
      });
      body.appendChild(copy);
    });
    var caption = link.closest("figure") && link.closest("figure").querySelector("figcaption");
    dialog.querySelector(".notes-lightbox__caption").textContent = caption ? caption.textContent : "";
    dialog.classList.remove("notes-lightbox--zoomed");
    dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.notes-zoom");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || typeof HTMLDialogElement !== "function") return;
    event.preventDefault();
    open(link);
  });
})();
