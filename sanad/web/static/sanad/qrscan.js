/* The QR camera scanner the phone pages share (distribution day, voucher redemption,
   convoy departure and arrival): the browser's BarcodeDetector when it reads QR codes,
   else the vendored jsQR, loaded on first use.

     var scanner = window.SanadQrScanner({ video: el, canvas: el, jsqrUrl: url,
                                           onCode: function (text) { ... } });
     scanner.open().then(ready, failed);   // camera on, reading frames
     scanner.close();                      // camera off

   A code read closes the camera before `onCode` is called. */
(function () {
  "use strict";

  window.SanadQrScanner = function (options) {
    var video = options.video, frame = options.canvas;
    var stream = null, scanning = false, detector = null;

    function loadJsQR() {
      if (window.jsQR) { return Promise.resolve(); }
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = options.jsqrUrl; s.onload = resolve; s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    function prepareDecoder() {
      detector = null;
      if ("BarcodeDetector" in window) {
        return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
          if (formats.indexOf("qr_code") >= 0) { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); return null; }
          return loadJsQR();
        }, loadJsQR);
      }
      return loadJsQR();
    }
    function decodeFrame() {
      var w = video.videoWidth, h = video.videoHeight;
      if (!w || !h || !window.jsQR) { return null; }
      var scale = Math.min(1, 640 / Math.max(w, h));
      var cw = Math.round(w * scale), ch = Math.round(h * scale);
      frame.width = cw; frame.height = ch;
      var ctx = frame.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, cw, ch);
      var code = window.jsQR(ctx.getImageData(0, 0, cw, ch).data, cw, ch, { inversionAttempts: "dontInvert" });
      return code ? code.data : null;
    }
    function close() {
      scanning = false;
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
      stream = null;
      if (video) { video.srcObject = null; }
    }
    function tick() {
      if (!scanning) { return; }
      if (video.readyState < 2) { setTimeout(tick, 150); return; }
      var read = detector
        ? detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; })
        : Promise.resolve(decodeFrame());
      read.then(function (text) {
        if (text && scanning) {
          close();
          if (navigator.vibrate) { navigator.vibrate(80); }
          options.onCode(text);
        } else { setTimeout(tick, 150); }
      }, function () { setTimeout(tick, 300); });
    }
    function open() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return Promise.reject(new Error("no camera"));
      }
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
        .then(function (s) { stream = s; video.srcObject = s; return video.play(); })
        .then(prepareDecoder)
        .then(function () { scanning = true; tick(); })
        .catch(function (error) { close(); throw error; });
    }
    return {
      open: open,
      close: close,
      available: !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia),
    };
  };
})();
